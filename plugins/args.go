package plugins

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Args reads typed values out of a params map (a config's `args` section) and remembers which
// keys were read, so that Done can reject the keys nobody asked for. Every error names the key
// and, for unknown keys, lists the valid ones. Env and reward factories use it.
//
//	a := plugins.NewArgs(params)
//	unit := a.String("unit", "chars")
//	if err := a.Done(); err != nil { ... }
type Args struct {
	params map[string]any
	known  []string
	err    error
}

// NewArgs wraps params (nil is an empty map).
func NewArgs(params map[string]any) *Args {
	return &Args{params: params}
}

func (a *Args) lookup(key string) (any, bool) {
	a.known = append(a.known, key)
	v, ok := a.params[key]
	if ok && v == nil {
		return nil, false
	}
	return v, ok
}

func (a *Args) fail(key, want string, v any) {
	if a.err == nil {
		a.err = fmt.Errorf("param %q must be %s, got %T %v", key, want, v, v)
	}
}

// Failf records an error about key (for checks beyond the type, such as ranges).
func (a *Args) Failf(key, format string, args ...any) {
	if a.err == nil {
		a.err = fmt.Errorf("param %q: %s", key, fmt.Sprintf(format, args...))
	}
}

// Has reports whether key was given (and marks it as known).
func (a *Args) Has(key string) bool {
	_, ok := a.lookup(key)
	return ok
}

// String reads a string.
func (a *Args) String(key, def string) string {
	v, ok := a.lookup(key)
	if !ok {
		return def
	}
	s, isString := v.(string)
	if !isString {
		a.fail(key, "a string", v)
		return def
	}
	return s
}

// Bool reads a boolean.
func (a *Args) Bool(key string, def bool) bool {
	v, ok := a.lookup(key)
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		a.fail(key, "true or false", v)
		return def
	}
	return b
}

// Float reads a number.
func (a *Args) Float(key string, def float64) float64 {
	v, ok := a.lookup(key)
	if !ok {
		return def
	}
	f, isNumber := toFloat(v)
	if !isNumber {
		a.fail(key, "a number", v)
		return def
	}
	return f
}

// Int reads an integer (a float with no fractional part is accepted, as JSON and YAML
// decoders may produce one).
func (a *Args) Int(key string, def int) int {
	v, ok := a.lookup(key)
	if !ok {
		return def
	}
	f, isNumber := toFloat(v)
	if !isNumber || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		a.fail(key, "an integer", v)
		return def
	}
	return int(f)
}

// Strings reads a list of strings.
func (a *Args) Strings(key string, def []string) []string {
	v, ok := a.lookup(key)
	if !ok {
		return def
	}
	switch list := v.(type) {
	case []string:
		return list
	case []any:
		out := make([]string, len(list))
		for i, item := range list {
			s, isString := item.(string)
			if !isString {
				a.fail(key, "a list of strings", v)
				return def
			}
			out[i] = s
		}
		return out
	}
	a.fail(key, "a list of strings", v)
	return def
}

// Map reads a nested map (such as a wrapped env's args).
func (a *Args) Map(key string) map[string]any {
	v, ok := a.lookup(key)
	if !ok {
		return nil
	}
	switch m := v.(type) {
	case map[string]any:
		return m
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, item := range m {
			ks, isString := k.(string)
			if !isString {
				a.fail(key, "a map with string keys", v)
				return nil
			}
			out[ks] = item
		}
		return out
	}
	a.fail(key, "a map", v)
	return nil
}

// Done returns the first type or range error, or an error naming an unknown key and listing the
// valid ones. Call it after every read.
func (a *Args) Done() error {
	if a.err != nil {
		return a.err
	}
	valid := map[string]bool{}
	for _, k := range a.known {
		valid[k] = true
	}
	var unknown []string
	for k := range a.params {
		if !valid[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	names := make([]string, 0, len(valid))
	for k := range valid {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Errorf("unknown param %q; valid params: %s", unknown[0], strings.Join(names, ", "))
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float32:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// Floats reads a list of numbers.
func (a *Args) Floats(key string, def []float64) []float64 {
	v, ok := a.lookup(key)
	if !ok {
		return def
	}
	switch list := v.(type) {
	case []float64:
		return list
	case []int:
		out := make([]float64, len(list))
		for i, n := range list {
			out[i] = float64(n)
		}
		return out
	case []any:
		out := make([]float64, len(list))
		for i, item := range list {
			f, isNumber := toFloat(item)
			if !isNumber {
				a.fail(key, "a list of numbers", v)
				return def
			}
			out[i] = f
		}
		return out
	}
	a.fail(key, "a list of numbers", v)
	return def
}
