package rewards

import "testing"

// The exact extractors compare the whole completion with the reference string: formats the lenient
// check accepts (a sentence around the number, 46.0 for 46, 1/2 for 0.5) are wrong answers.
func TestExactCorrectness(t *testing.T) {
	cases := []struct {
		completion, answer string
		auto, exact, trim  float64
	}{
		{"46", "46", 1, 1, 1},
		{" 46\n", "46", 1, 0, 1},
		{"46", " 46 ", 1, 0, 1},
		{"46.0", "46", 1, 0, 0},
		{"the answer is 46", "46", 1, 0, 0},
		{"1/2", "0.5", 1, 0, 0},
		{"x = 3", "x = 3", 1, 1, 1},
		{"", "46", 0, 0, 0},
	}
	for _, name := range []string{"auto", ExtractorExact, ExtractorExactTrim} {
		f, err := New("correct", map[string]any{"extractor": name})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			want := map[string]float64{"auto": c.auto, ExtractorExact: c.exact, ExtractorExactTrim: c.trim}[name]
			got, err := f.Grade(Input{Completion: c.completion, Answer: c.answer})
			if err != nil || got != want {
				t.Errorf("extractor %s: completion %q, answer %q: %v (%v), want %v", name, c.completion, c.answer, got, err, want)
			}
		}
	}
	if _, err := New("correct", map[string]any{"extractor": "exactly"}); err == nil {
		t.Error("an unknown extractor name must be an error")
	}
}
