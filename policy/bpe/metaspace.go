package bpe

import (
	"encoding/json"
	"fmt"
	"strings"
)

// metaspace holds the settings shared by the Metaspace pre-tokenizer and decoder: spaces become the
// replacement character (usually U+2581 "▁"), which is prepended to the text per prepend_scheme.
type metaspace struct {
	Replacement    string `json:"replacement"`
	PrependScheme  string `json:"prepend_scheme"`   // "always", "first" or "never"
	AddPrefixSpace *bool  `json:"add_prefix_space"` // older files: true means "always"
	Split          *bool  `json:"split"`            // default true
}

func parseMetaspace(raw json.RawMessage, where string) (metaspace, error) {
	var m metaspace
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("%s Metaspace: %w", where, err)
	}
	if m.Replacement == "" {
		return m, fmt.Errorf("%s Metaspace: empty replacement", where)
	}
	if m.PrependScheme == "" {
		m.PrependScheme = "always"
		if m.AddPrefixSpace != nil && !*m.AddPrefixSpace {
			m.PrependScheme = "never"
		}
	}
	switch m.PrependScheme {
	case "always", "first", "never":
	default:
		return m, fmt.Errorf("%s Metaspace: prepend_scheme %q is not one of always, first, never", where, m.PrependScheme)
	}
	return m, nil
}

// parseMetaspacePreTokenizer: replace spaces, prepend the replacement, then (if split) cut before
// every replacement character so that it starts the next word.
func parseMetaspacePreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	m, err := parseMetaspace(raw, "pre_tokenizer")
	if err != nil {
		return nil, err
	}
	split := m.Split == nil || *m.Split
	return eachPiece(func(p piece) []string {
		t := strings.ReplaceAll(p.text, " ", m.Replacement)
		if !strings.HasPrefix(t, m.Replacement) && (m.PrependScheme == "always" || (m.PrependScheme == "first" && p.atStart)) {
			t = m.Replacement + t
		}
		if !split {
			return []string{t}
		}
		return cutSpans(t, cover(len(t), literalMatches(t, m.Replacement), false), mergedWithNext)
	}), nil
}
