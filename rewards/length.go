package rewards

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"grit/plugins"
)

// LengthUnit is what a completion's length counts (the `unit` param of length, efficiency and
// overlong).
type LengthUnit string

// Length units. Rewards see text, so "tokens" reads the count the trainer puts in
// Input.Meta["completion_tokens"].
const (
	UnitChars  LengthUnit = "chars"  // Unicode code points (= tokens for a character-level tokenizer)
	UnitWords  LengthUnit = "words"  // whitespace-separated fields
	UnitTokens LengthUnit = "tokens" // Meta["completion_tokens"]
)

// LengthUnits lists the units, for error messages.
var LengthUnits = []LengthUnit{UnitChars, UnitWords, UnitTokens}

// MetaCompletionTokens is the Meta key that carries the completion's token count.
const MetaCompletionTokens = "completion_tokens"

// MetaToolCalls is the Meta key that carries the number of tool calls the episode made.
const MetaToolCalls = "tool_calls"

// CompletionLength measures the completion in unit.
func CompletionLength(in Input, unit LengthUnit) (int, error) {
	switch unit {
	case UnitChars:
		return utf8.RuneCountInString(in.Completion), nil
	case UnitWords:
		return len(strings.Fields(in.Completion)), nil
	case UnitTokens:
		return metaCount(in, MetaCompletionTokens)
	}
	return 0, fmt.Errorf("unknown length unit %q; valid units: %s", unit, joinNames(LengthUnits))
}

// metaCount reads a non-negative integer from in.Meta[key].
func metaCount(in Input, key string) (int, error) {
	s, ok := in.Meta[key]
	if !ok {
		return 0, fmt.Errorf("input has no Meta[%q]; the trainer or env must set it", key)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("Meta[%q] = %q is not a non-negative integer", key, s)
	}
	return n, nil
}

// readUnit reads a length unit param, recording an error for an unknown one.
func readUnit(a *plugins.Args, key string) LengthUnit {
	unit := LengthUnit(a.String(key, string(UnitChars)))
	if !slices.Contains(LengthUnits, unit) {
		a.Failf(key, "unknown unit %q; valid units: %s", unit, joinNames(LengthUnits))
	}
	return unit
}

// joinNames lists enumerated values as "a, b, c".
func joinNames[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// Length is the completion's length as a reward component (give it a negative weight to
// penalise length, or weight 0 to only log it).
type Length struct {
	Label string     // component name ("length")
	Unit  LengthUnit // chars, words or tokens
}

// Name is the component name.
func (l Length) Name() string { return l.Label }

// Grade is the length in Unit.
func (l Length) Grade(in Input) (float64, error) {
	n, err := CompletionLength(in, l.Unit)
	return float64(n), err
}

func newLength(p map[string]any) (Func, error) {
	a := plugins.NewArgs(p)
	l := Length{Label: a.String("name", "length"), Unit: readUnit(a, "unit")}
	return l, a.Done()
}
