package report

import (
	"math"
	"strconv"
	"unicode/utf8"

	"grit/policy"
	"grit/rl"
)

// encodeStep writes a step's samples as the script `gritStep({...});` that the page's rollout
// browser loads. The JSON is written by hand (no reflection): it runs after every training step,
// so it has to cost a small fraction of one. Shape (short keys keep a 128-sample step near 20 kB):
//
//	{"step": N, "components": [name...], "pieces": {"id": text of that token alone},
//	 "groups": [{"g", "id" (task), "prompt", "acc" (group accuracy), "samples": [{
//	   "i", "r" (total reward, null when every component failed), "r_eff", "cv" (component values,
//	   null = failed or absent), "ce" (component errors, "" = none), "adv", "adv_eff", "ok",
//	   "trunc", "masked", "ntok", "tools", "turns": [{"obs" (the env's text before this turn),
//	   "text", "ids", "lp" (sampling log-probs in thousandths)}]}]}]}
func encodeStep(samples []rl.Sample, tok policy.Tokenizer) []byte {
	var comps []string
	compIndex := map[string]int{}
	for _, s := range samples {
		for _, c := range s.Components {
			if _, ok := compIndex[c.Name]; !ok {
				compIndex[c.Name] = len(comps)
				comps = append(comps, c.Name)
			}
		}
	}
	// Samples of a group in order of first appearance of the group.
	var order []int
	members := map[int][]int{}
	for i, s := range samples {
		if _, ok := members[s.Group]; !ok {
			order = append(order, s.Group)
		}
		members[s.Group] = append(members[s.Group], i)
	}
	step := 0
	if len(samples) > 0 {
		step = samples[0].Step
	}
	b := make([]byte, 0, 256*len(samples)+1024)
	b = append(b, `gritStep({"step":`...)
	b = strconv.AppendInt(b, int64(step), 10)
	b = append(b, `,"components":[`...)
	for i, c := range comps {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, c)
	}
	b = append(b, `],"groups":[`...)
	seen := map[int]bool{}
	var ids []int
	values := make([]*float64, len(comps))
	errs := make([]string, len(comps))
	for gi, g := range order {
		if gi > 0 {
			b = append(b, ',')
		}
		first := &samples[members[g][0]]
		b = append(b, `{"g":`...)
		b = strconv.AppendInt(b, int64(g), 10)
		b = append(b, `,"id":`...)
		b = appendString(b, first.PromptID)
		b = append(b, `,"prompt":`...)
		b = appendString(b, first.PromptText)
		b = append(b, `,"acc":`...)
		b = appendFloat(b, first.GroupAccuracy)
		b = append(b, `,"samples":[`...)
		for si, i := range members[g] {
			if si > 0 {
				b = append(b, ',')
			}
			s := &samples[i]
			for k := range values {
				values[k], errs[k] = nil, ""
			}
			for _, c := range s.Components {
				k := compIndex[c.Name]
				if c.OK {
					v := c.Value
					values[k] = &v
				} else {
					errs[k] = c.Err
				}
			}
			b = append(b, `{"i":`...)
			b = strconv.AppendInt(b, int64(s.Index), 10)
			b = append(b, `,"r":`...)
			if s.RewardOK {
				b = appendFloat(b, s.Reward)
			} else {
				b = append(b, "null"...)
			}
			b = append(b, `,"r_eff":`...)
			b = appendFloat(b, s.RewardEff)
			b = append(b, `,"cv":[`...)
			for k, v := range values {
				if k > 0 {
					b = append(b, ',')
				}
				if v == nil {
					b = append(b, "null"...)
				} else {
					b = appendFloat(b, *v)
				}
			}
			b = append(b, `],"ce":[`...)
			for k, e := range errs {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendString(b, e)
			}
			b = append(b, `],"adv":`...)
			b = appendFloat(b, s.Advantage)
			b = append(b, `,"adv_eff":`...)
			b = appendFloat(b, s.AdvantageEff)
			b = append(b, `,"ok":`...)
			b = strconv.AppendBool(b, s.Correct)
			b = append(b, `,"trunc":`...)
			b = strconv.AppendBool(b, s.Truncated)
			b = append(b, `,"masked":`...)
			b = strconv.AppendBool(b, s.Masked)
			b = append(b, `,"ntok":`...)
			b = strconv.AppendInt(b, int64(s.NumTokens), 10)
			b = append(b, `,"tools":`...)
			b = strconv.AppendInt(b, int64(s.ToolCalls), 10)
			b = append(b, `,"turns":[`...)
			for k, tu := range s.Turns {
				if k > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"obs":`...)
				obs := ""
				if k > 0 {
					prev := s.Turns[k-1]
					if from := len(prev.Context) + len(prev.Tokens); from <= len(tu.Context) {
						obs = decode(tok, tu.Context[from:])
					}
				}
				b = appendString(b, obs)
				b = append(b, `,"text":`...)
				b = appendString(b, tu.Text)
				b = append(b, `,"ids":[`...)
				for j, id := range tu.Tokens {
					if j > 0 {
						b = append(b, ',')
					}
					b = strconv.AppendInt(b, int64(id), 10)
					if !seen[id] {
						seen[id] = true
						ids = append(ids, id)
					}
				}
				b = append(b, `],"lp":[`...)
				for j, lp := range tu.Logp {
					if j > 0 {
						b = append(b, ',')
					}
					b = strconv.AppendInt(b, int64(math.Round(float64(lp)*1000)), 10)
				}
				b = append(b, "]}"...)
			}
			b = append(b, "]}"...)
		}
		b = append(b, "]}"...)
	}
	b = append(b, `],"pieces":{`...)
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, `":`...)
		b = appendString(b, piece(tok, id))
	}
	return append(b, "}});\n"...)
}

// appendFloat writes a finite float in its shortest form; NaN and infinities become null.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendString writes s as a JSON string: quote, backslash and control characters escaped,
// invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}
