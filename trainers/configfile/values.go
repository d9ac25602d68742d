package configfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkValue holds a YAML-decoded value to the type its key expects and returns it normalised
// (an integral float such as 1e3 becomes an int for integer keys). where names the source.
func checkValue(key string, kind keyKind, v any, where string) (any, error) {
	bad := func() error {
		return fmt.Errorf("%s: %s expects %s, got %s", where, key, kind, describe(v))
	}
	switch kind {
	case kindAny:
		return v, nil
	case kindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, bad()
	case kindGrid:
		return gridValue(v, bad)
	case kindBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, bad()
	case kindFloat:
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case uint64:
			return float64(x), nil
		case float64:
			return x, nil
		}
		return nil, bad()
	case kindInt, kindUint:
		var i int64
		switch x := v.(type) {
		case int:
			i = int64(x)
		case uint64:
			if x > math.MaxInt64 {
				return nil, bad()
			}
			i = int64(x)
		case float64:
			if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
				return nil, bad()
			}
			i = int64(x)
		default:
			return nil, bad()
		}
		if kind == kindUint {
			if i < 0 {
				return nil, bad()
			}
			return uint64(i), nil
		}
		return int(i), nil
	case kindMap:
		if v == nil { // `env_args:` with nothing after it
			v = map[string]any{}
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad()
		}
		if key != "reward_weights" {
			return m, nil
		}
		out := make(map[string]any, len(m))
		for name, w := range m {
			f, err := checkValue(key+"."+name, kindFloat, w, where)
			if err != nil {
				return nil, err
			}
			out[name] = f
		}
		return out, nil
	}
	return nil, bad()
}

// parseValue turns a string from an environment variable or a --set flag into the type its key
// expects. Free-form map entries (env_args.x) and whole maps are read as YAML.
func parseValue(key string, kind keyKind, s string, where string) (any, error) {
	var v any
	switch kind {
	case kindString:
		return s, nil
	case kindBool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%s: %s expects %s, got %q", where, key, kind, s)
		}
		return b, nil
	case kindInt, kindUint, kindFloat:
		t := strings.TrimSpace(s)
		if i, err := strconv.ParseInt(t, 10, 64); err == nil {
			v = int(i)
		} else if f, err := strconv.ParseFloat(t, 64); err == nil {
			v = f
		} else {
			return nil, fmt.Errorf("%s: %s expects %s, got %q", where, key, kind, s)
		}
	default: // kindAny, kindMap
		if err := yaml.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("%s: %s: %q is not a YAML value: %v", where, key, s, err)
		}
		if v == nil && kind == kindAny {
			v = s // `--set env_args.x=` sets an empty string, not null
		}
	}
	return checkValue(key, kind, v, where)
}

// describe renders a value and its YAML type for an error message.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null (an empty value)"
	case string:
		return fmt.Sprintf("the string %q", x)
	case bool:
		return fmt.Sprintf("the boolean %v", x)
	case int, uint64:
		return fmt.Sprintf("the integer %v", x)
	case float64:
		return fmt.Sprintf("the number %v", x)
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// gridValue normalises a number list to the comma-separated string trainers.NumberGrid holds: a
// YAML list of numbers, a single number, or a string (parsed later, where its numbers are checked).
func gridValue(v any, bad func() error) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int, uint64, float64:
		return fmt.Sprint(x), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			switch n := e.(type) {
			case int, uint64:
				parts[i] = fmt.Sprint(n)
			case float64:
				parts[i] = strconv.FormatFloat(n, 'g', -1, 64)
			default:
				return nil, bad()
			}
		}
		return strings.Join(parts, ","), nil
	}
	return nil, bad()
}
