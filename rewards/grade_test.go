package rewards

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestGradeAllRecordsFailuresAndRecoversPanics(t *testing.T) {
	funcs := []Func{
		Correctness{Label: "correct", Extract: ExtractAnswer},
		FuncOf("broken", func(Input) (float64, error) { return 0, errors.New("service down") }),
		FuncOf("panicky", func(Input) (float64, error) { panic("index out of range") }),
		FuncOf("nan", func(Input) (float64, error) { return math.NaN(), nil }),
		FuncOf("half", func(Input) (float64, error) { return 0.5, nil }),
	}
	res := GradeAll(funcs, Input{Completion: "the answer is 46", Answer: "46"})
	if !res.Correct {
		t.Error("Correct should be set by the correctness judge")
	}
	if len(res.Components) != len(funcs) {
		t.Fatalf("got %d components, want %d", len(res.Components), len(funcs))
	}
	want := []struct {
		name  string
		ok    bool
		value float64
		err   string
	}{
		{"correct", true, 1, ""},
		{"broken", false, 0, "service down"},
		{"panicky", false, 0, "panicked: index out of range"},
		{"nan", false, 0, "NaN"},
		{"half", true, 0.5, ""},
	}
	for i, w := range want {
		c := res.Components[i]
		if c.Name != w.name || c.OK != w.ok || c.Value != w.value || !strings.Contains(c.Err, w.err) || (w.ok && c.Err != "") {
			t.Errorf("component %d = %+v, want name %s ok %v value %v err containing %q", i, c, w.name, w.ok, w.value, w.err)
		}
	}
	if failed := Failed(res); len(failed) != 3 || !strings.HasPrefix(failed[0], "broken: ") {
		t.Errorf("Failed = %q", failed)
	}
	// total over the computed components only: 1*2 + 0.5*4 = 4
	total, ok := Total(res, map[string]float64{"correct": 2, "half": 4, "broken": 100})
	if !ok || total != 4 {
		t.Errorf("Total = %v, %v; want 4, true", total, ok)
	}
}

func TestTotalAllMissingIsNotZero(t *testing.T) {
	res := GradeAll([]Func{FuncOf("x", func(Input) (float64, error) { return 0, errors.New("no") })}, Input{})
	if _, ok := Total(res, nil); ok {
		t.Error("a result whose every component failed must report ok=false")
	}
	if res.Correct {
		t.Error("no judge computed: Correct must be false")
	}
}

func TestCorrectnessWithoutReferenceFails(t *testing.T) {
	res := GradeAll([]Func{Correctness{Label: "correct"}}, Input{Completion: "5"})
	if res.Components[0].OK || !strings.Contains(res.Components[0].Err, "reference") {
		t.Errorf("missing reference should fail the component: %+v", res.Components[0])
	}
}

func TestReferenceAnswer(t *testing.T) {
	for in, want := range map[string]string{
		"Natalia sold 48/2 = 24 clips.\n#### 72":  "72",
		`so the answer is $\boxed{\frac{3}{4}}$.`: `\frac{3}{4}`,
		"17": "17",
	} {
		if got := ReferenceAnswer(in); got != want {
			t.Errorf("ReferenceAnswer(%q) = %q, want %q", in, got, want)
		}
	}
	if !IsCorrect("so it is 72", "sold clips\n#### 72", nil) {
		t.Error("a GSM8K reference should be reduced to its answer")
	}
}

func TestFormat(t *testing.T) {
	think := Format{Label: "format", Think: true}
	answerOnly := Format{Label: "format"}
	cases := []struct {
		completion       string
		think, answerOne float64
	}{
		{"<think>a+b</think> <answer>3</answer>", 1, 0},
		{"<think>\nmulti\nline</think>\n<answer>3</answer>\n", 1, 0},
		{"<answer>3</answer>", 0, 1},
		{"<think>x</think>", 0, 0},
		{"3", 0, 0},
		{"text <think>x</think><answer>3</answer>", 0, 0},
	}
	for _, c := range cases {
		if v, _ := think.Grade(Input{Completion: c.completion}); v != c.think {
			t.Errorf("format(think) %q = %v, want %v", c.completion, v, c.think)
		}
		if v, _ := answerOnly.Grade(Input{Completion: c.completion}); v != c.answerOne {
			t.Errorf("format(answer only) %q = %v, want %v", c.completion, v, c.answerOne)
		}
	}
}

func TestOverlongPenalty(t *testing.T) {
	// Lmax 20, Lc 4: 0 up to 16, then (16 - n)/4, -1 beyond 20.
	for n, want := range map[int]float64{0: 0, 16: 0, 17: -0.25, 18: -0.5, 20: -1, 21: -1, 100: -1} {
		if got := OverlongPenalty(n, 20, 4); got != want {
			t.Errorf("OverlongPenalty(%d, 20, 4) = %v, want %v", n, got, want)
		}
	}
	if OverlongPenalty(20, 20, 0) != 0 || OverlongPenalty(21, 20, 0) != -1 {
		t.Error("cache_len 0 should be a hard cut at max_len")
	}
}

func TestLengthAndEfficiency(t *testing.T) {
	in := Input{Completion: "héllo wörld 42", Answer: "42", Meta: map[string]string{"completion_tokens": "9", "tool_calls": "3"}}
	for unit, want := range map[LengthUnit]int{UnitChars: 14, UnitWords: 3, UnitTokens: 9} {
		if n, err := CompletionLength(in, unit); err != nil || n != want {
			t.Errorf("length in %s = %d, %v; want %d", unit, n, err, want)
		}
	}
	if _, err := CompletionLength(Input{}, UnitTokens); err == nil || !strings.Contains(err.Error(), "completion_tokens") {
		t.Errorf("missing token count should name the Meta key: %v", err)
	}
	eff := Efficiency{Label: "efficiency", Measure: MeasureLength, Unit: UnitChars, Scale: 14, Extract: ExtractAnswer}
	if v, err := eff.Grade(in); err != nil || v != 0.5 {
		t.Errorf("efficiency at x = scale should be 1/2, got %v, %v", v, err)
	}
	tools := Efficiency{Label: "efficiency", Measure: MeasureToolCalls, Scale: 1, Extract: ExtractAnswer}
	if v, err := tools.Grade(in); err != nil || v != 0.25 {
		t.Errorf("1/(T+1) with T=3 should be 0.25, got %v, %v", v, err)
	}
	wrong := in
	wrong.Answer = "41"
	if v, err := tools.Grade(wrong); err != nil || v != 0 {
		t.Errorf("efficiency of a wrong answer should be 0, got %v, %v", v, err)
	}
}

func TestRegistryBuiltinsAndErrors(t *testing.T) {
	for _, name := range []string{"correct", "format", "length", "efficiency", "overlong"} {
		found := false
		for _, r := range Registered() {
			found = found || r == name
		}
		if !found {
			t.Errorf("built-in reward %q not registered", name)
		}
	}
	_, err := New("nosuch", nil)
	if err == nil || !containsAll(err.Error(), "nosuch", "correct", "overlong") {
		t.Errorf("unknown reward error should list registered names: %v", err)
	}
	_, err = New("overlong", map[string]any{"max_len": 10, "cach_len": 2})
	if err == nil || !containsAll(err.Error(), `"cach_len"`, "cache_len", "max_len", "unit") {
		t.Errorf("unknown param error should name it and list valid ones: %v", err)
	}
	_, err = New("overlong", map[string]any{"max_len": "ten"})
	if err == nil || !containsAll(err.Error(), `"max_len"`, "integer") {
		t.Errorf("wrong type error should name the key: %v", err)
	}
	_, err = New("overlong", nil)
	if err == nil || !strings.Contains(err.Error(), "max_len") {
		t.Errorf("overlong without max_len should fail: %v", err)
	}
	_, err = New("correct", map[string]any{"extractor": "magic"})
	if err == nil || !containsAll(err.Error(), "magic", "boxed") {
		t.Errorf("bad extractor should list valid ones: %v", err)
	}
}
