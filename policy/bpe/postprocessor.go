package bpe

import (
	"encoding/json"
	"fmt"
)

// specials are the ids the post-processor puts around a single sequence.
type specials struct{ prefix, suffix []int }

// parsePostProcessor reads which special ids the post-processor adds to a single sequence (pairs
// are not encoded by this package).
func parsePostProcessor(raw json.RawMessage) (specials, error) {
	if isNull(raw) {
		return specials{}, nil
	}
	kind, err := stageType(raw)
	if err != nil {
		return specials{}, fmt.Errorf("post_processor: %w", err)
	}
	switch kind {
	case "ByteLevel":
		return specials{}, nil
	case "TemplateProcessing":
		var t struct {
			Single []struct {
				SpecialToken *struct {
					ID string `json:"id"`
				} `json:"SpecialToken"`
				Sequence *struct {
					ID string `json:"id"`
				} `json:"Sequence"`
			} `json:"single"`
			SpecialTokens map[string]struct {
				IDs []int `json:"ids"`
			} `json:"special_tokens"`
		}
		if err := json.Unmarshal(raw, &t); err != nil {
			return specials{}, fmt.Errorf("post_processor TemplateProcessing: %w", err)
		}
		var s specials
		seen := false
		for i, item := range t.Single {
			switch {
			case item.Sequence != nil:
				if seen {
					return specials{}, fmt.Errorf("post_processor TemplateProcessing: single[%d]: the sequence appears twice", i)
				}
				seen = true
			case item.SpecialToken != nil:
				st, ok := t.SpecialTokens[item.SpecialToken.ID]
				if !ok {
					return specials{}, fmt.Errorf("post_processor TemplateProcessing: single[%d]: special token %q is not in special_tokens", i, item.SpecialToken.ID)
				}
				if seen {
					s.suffix = append(s.suffix, st.IDs...)
				} else {
					s.prefix = append(s.prefix, st.IDs...)
				}
			default:
				return specials{}, fmt.Errorf("post_processor TemplateProcessing: single[%d] is neither SpecialToken nor Sequence", i)
			}
		}
		return s, nil
	case "RobertaProcessing", "BertProcessing":
		var r struct {
			Cls [2]json.RawMessage `json:"cls"`
			Sep [2]json.RawMessage `json:"sep"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return specials{}, fmt.Errorf("post_processor %s: %w", kind, err)
		}
		var cls, sep int
		if err := json.Unmarshal(r.Cls[1], &cls); err != nil {
			return specials{}, fmt.Errorf("post_processor %s: cls: %w", kind, err)
		}
		if err := json.Unmarshal(r.Sep[1], &sep); err != nil {
			return specials{}, fmt.Errorf("post_processor %s: sep: %w", kind, err)
		}
		return specials{prefix: []int{cls}, suffix: []int{sep}}, nil
	case "Sequence":
		var seq struct {
			Processors []json.RawMessage `json:"processors"`
		}
		if err := json.Unmarshal(raw, &seq); err != nil {
			return specials{}, fmt.Errorf("post_processor Sequence: %w", err)
		}
		var all specials
		for i, sub := range seq.Processors {
			s, err := parsePostProcessor(sub)
			if err != nil {
				return specials{}, fmt.Errorf("post_processor Sequence[%d]: %w", i, err)
			}
			all.prefix = append(s.prefix, all.prefix...)
			all.suffix = append(all.suffix, s.suffix...)
		}
		return all, nil
	}
	return specials{}, fmt.Errorf("post_processor type %q is not supported (supported: ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing, Sequence)", kind)
}
