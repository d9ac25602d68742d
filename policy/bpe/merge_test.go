package bpe

import (
	"encoding/json"
	"testing"
)

func TestParseMergeForms(t *testing.T) {
	cases := []struct {
		raw         string
		left, right string
	}{
		{`"a b"`, "a", "b"},
		{`["a","b"]`, "a", "b"},
		{`[ "Ġ" , "t" ]`, "Ġ", "t"},
		{`["a b","c"]`, "a b", "c"},    // the list form allows spaces inside tokens
		{`"\u0120 t"`, "Ġ", "t"},       // escaped: decoded by encoding/json
		{`["\"","\\"]`, `"`, `\`},      // escaped quote and backslash
		{`["x\u00e9","y"]`, "xé", "y"}, // escape in the list form
	}
	for _, c := range cases {
		l, r, err := parseMerge(json.RawMessage(c.raw))
		if err != nil || l != c.left || r != c.right {
			t.Errorf("parseMerge(%s) = %q, %q, %v; want %q, %q", c.raw, l, r, err, c.left, c.right)
		}
	}
	for _, bad := range []string{`"ab"`, `"a b c"`, `["a"]`, `["a","b","c"]`, `3`} {
		if l, r, err := parseMerge(json.RawMessage(bad)); err == nil {
			t.Errorf("parseMerge(%s) = %q, %q; want an error", bad, l, r)
		}
	}
}
