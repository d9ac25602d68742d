package hf

import (
	"encoding/json"
	"slices"

	"grit/policy"
)

// rope reads RoPE's base frequency and scaling. transformers v4 writes rope_theta next to
// rope_scaling (null or {"rope_type"|"type", ...}); v5 writes one rope_parameters object
// {"rope_type", "rope_theta", ...}. Types other than "default" and "llama3" are rejected.
func (c *hfConfig) rope() (theta float64, scaling *policy.RoPEScaling) {
	theta = c.floatOr("rope_theta", 10000)
	var params map[string]any
	where := ""
	for _, key := range []string{"rope_parameters", "rope_scaling"} {
		x, ok := c.get(key)
		if !ok {
			continue
		}
		m, isMap := x.(map[string]any)
		if !isMap {
			c.fail("%s must be an object or null, got %v", key, x)
			return theta, nil
		}
		if params != nil {
			c.fail("both rope_parameters and rope_scaling are set; keep one (rope_parameters in transformers v5, rope_scaling in v4)")
			return theta, nil
		}
		params, where = m, key
	}
	if params == nil {
		return theta, nil
	}
	num := func(key string) (float64, bool) {
		x, ok := params[key]
		if !ok || x == nil {
			return 0, false
		}
		n, isNum := x.(json.Number)
		f, err := n.Float64()
		if !isNum || err != nil {
			c.fail("%s.%s must be a number, got %v", where, key, x)
			return 0, false
		}
		return f, true
	}
	if t, ok := num("rope_theta"); ok {
		if c.has("rope_theta") && t != theta {
			c.fail("rope_theta (%v) and %s.rope_theta (%v) disagree", theta, where, t)
		}
		theta = t
	}
	typ := "default"
	for _, key := range []string{"rope_type", "type"} {
		if s, ok := params[key].(string); ok {
			typ = s
		}
	}
	allowed := []string{"rope_type", "type", "rope_theta"}
	switch typ {
	case "default":
	case policy.RoPEScalingLlama3:
		need := []string{"factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings"}
		allowed = append(allowed, need...)
		v := map[string]float64{}
		for _, key := range need {
			f, ok := num(key)
			if !ok {
				c.fail("%s.%s is missing (rope_type llama3 needs %q)", where, key, need)
			}
			v[key] = f
		}
		scaling = &policy.RoPEScaling{Type: typ, Factor: v["factor"], LowFreqFactor: v["low_freq_factor"],
			HighFreqFactor: v["high_freq_factor"], OriginalMaxPositions: int(v["original_max_position_embeddings"])}
		if err := scaling.Validate(); err != nil {
			c.fail("%s: %v", where, err)
		}
	default:
		c.fail("%s rope_type %q is not supported (supported: \"default\", \"llama3\")", where, typ)
		return theta, nil
	}
	for key := range params {
		if !slices.Contains(allowed, key) {
			c.fail("%s.%s is not supported with rope_type %q (it would change the rotary frequencies)", where, key, typ)
		}
	}
	return theta, scaling
}
