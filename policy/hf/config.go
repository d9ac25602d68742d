package hf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// hfConfig reads keys of a Hugging Face config.json. Missing keys take transformers' class default
// where the family's configuration class has one that real checkpoints rely on, and are errors naming
// the key otherwise; every problem is collected, so one error lists them all.
type hfConfig struct {
	path string
	raw  map[string]any // the file as read; numbers kept as json.Number so Save writes them back unchanged
	errs []error
}

func parseConfig(path string, data []byte) (*hfConfig, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("hf: %s: %w", path, err)
	}
	return &hfConfig{path: path, raw: raw}, nil
}

func (c *hfConfig) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("hf: %s: "+format, append([]any{c.path}, args...)...))
}

func (c *hfConfig) err() error { return errors.Join(c.errs...) }

// get returns the key's value; a JSON null counts as absent (transformers reads it as None).
func (c *hfConfig) get(key string) (any, bool) {
	v, ok := c.raw[key]
	return v, ok && v != nil
}

func (c *hfConfig) has(key string) bool { _, ok := c.get(key); return ok }

// number reads a numeric key; ok is false when the key is absent.
func (c *hfConfig) number(key string) (v float64, ok bool) {
	x, present := c.get(key)
	if !present {
		return 0, false
	}
	n, isNum := x.(json.Number)
	if !isNum {
		c.fail("key %q must be a number, got %v", key, x)
		return 0, false
	}
	f, err := n.Float64()
	if err != nil {
		c.fail("key %q: %v", key, err)
		return 0, false
	}
	return f, true
}

// intKey reads a required positive integer.
func (c *hfConfig) intKey(key string) int {
	f, ok := c.number(key)
	if !ok {
		if !c.has(key) {
			c.fail("key %q is missing", key)
		}
		return 0
	}
	if f != math.Trunc(f) || f <= 0 || f > math.MaxInt32 {
		c.fail("key %q must be a positive integer, got %v", key, f)
		return 0
	}
	return int(f)
}

// intOr reads an optional positive integer.
func (c *hfConfig) intOr(key string, def int) int {
	if !c.has(key) {
		return def
	}
	return c.intKey(key)
}

func (c *hfConfig) floatOr(key string, def float64) float64 {
	if f, ok := c.number(key); ok {
		return f
	}
	return def
}

func (c *hfConfig) boolOr(key string, def bool) bool {
	x, ok := c.get(key)
	if !ok {
		return def
	}
	b, isBool := x.(bool)
	if !isBool {
		c.fail("key %q must be true or false, got %v", key, x)
	}
	return b
}

func (c *hfConfig) stringOr(key, def string) string {
	x, ok := c.get(key)
	if !ok {
		return def
	}
	s, isString := x.(string)
	if !isString {
		c.fail("key %q must be a string, got %v", key, x)
	}
	return s
}

// oneOf requires a string key (default def when absent) to be one of the supported values.
func (c *hfConfig) oneOf(key, def string, supported ...string) string {
	s := c.stringOr(key, def)
	if !slices.Contains(supported, s) {
		c.fail("%s %q is not supported (supported: %q)", key, s, supported)
	}
	return s
}

// rejectTrue fails when a boolean option that changes the architecture is switched on.
func (c *hfConfig) rejectTrue(key, why string) {
	if c.boolOr(key, false) {
		c.fail("%s = true is not supported (%s)", key, why)
	}
}

// rejectPresent fails when a key that changes the model is set (not null).
func (c *hfConfig) rejectPresent(key, why string) {
	if c.has(key) {
		c.fail("%s is set, which is not supported (%s)", key, why)
	}
}

// dtype reads torch_dtype (transformers v4) or dtype (v5); both are optional but must name a float
// type the weights can be stored in.
func (c *hfConfig) dtype() {
	for _, key := range []string{"torch_dtype", "dtype"} {
		if c.has(key) {
			c.oneOf(key, "", "float32", "bfloat16", "float16")
		}
	}
}
