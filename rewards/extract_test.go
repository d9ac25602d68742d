package rewards

import "testing"

func TestExtractors(t *testing.T) {
	cases := []struct {
		rule   string
		in     string
		want   string
		wantOK bool
	}{
		{"boxed", `so \boxed{42}`, "42", true},
		{"boxed", `\boxed{1} then \boxed{\frac{1}{2}}`, `\frac{1}{2}`, true},
		{"boxed", `\boxed{7} and a truncated \boxed{\frac{1}{`, "7", true},
		{"boxed", `\fbox{x+1}`, "x+1", true},
		{"boxed", `\boxed{}`, "", false},
		{"boxed", `no box`, "", false},
		{"tag", `<answer> 5 </answer>`, "5", true},
		{"tag", `<answer>1</answer> more <answer>2</answer>`, "2", true},
		{"tag", `<answer>3</answer><answer>unclosed`, "3", true},
		{"tag", `<answer>unclosed`, "", false},
		{"tag", `</answer><answer>`, "", false},
		{"gsm8k", "work\n#### 1,234\n", "1234", true},
		{"gsm8k", "#### $5", "5", true},
		{"gsm8k", "#### 1 then #### 2", "2", true},
		{"gsm8k", "####   ", "", false},
		{"answer_line", "blah\nAnswer: 17.\nend", "17", true},
		{"answer_line", "final answer: -3", "-3", true},
		{"answer_line", "Answer:", "", false},
		{"last_number", "12+34=46", "46", true},
		{"last_number", "7-12=-5", "-5", true},
		{"last_number", "12-7=5", "5", true},
		{"last_number", "x = - 3", "- 3", true},
		{"last_number", "it costs 1,234 dollars", "1234", true},
		{"last_number", "list 1,23", "23", true},
		{"last_number", "12345,678", "678", true},
		{"last_number", "half is 1/2.", "1/2", true},
		{"last_number", "about .5 or 3.25 units", "3.25", true},
		{"last_number", "+7", "7", true},
		{"last_number", "f(x)-4", "4", true},
		{"last_number", "none here", "", false},
		{"auto", `<answer>\boxed{3}</answer> 9`, "3", true},
		{"auto", `<answer>8</answer> 9`, "8", true},
		{"auto", "#### 6\nAnswer: 7", "6", true},
		{"auto", "Answer: seven", "seven", true},
		{"auto", "I think 11", "11", true},
		{"auto", "", "", false},
	}
	for _, c := range cases {
		rule, err := ExtractorByName(c.rule)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := rule(c.in)
		if got != c.want || ok != c.wantOK {
			t.Errorf("%s(%q) = %q, %v; want %q, %v", c.rule, c.in, got, ok, c.want, c.wantOK)
		}
	}
}

func TestExtractorByNameListsValid(t *testing.T) {
	_, err := ExtractorByName("nope")
	if err == nil || !containsAll(err.Error(), "nope", "boxed", "gsm8k", "last_number") {
		t.Fatalf("error should name the bad extractor and list valid ones: %v", err)
	}
}

func FuzzExtractAnswer(f *testing.F) {
	for _, s := range []string{`\boxed{\frac{1}{2}}`, "#### 1,234", "<answer>5</answer>", "Answer: 3.", "-1,234.5/6",
		`\boxed{{{`, "}}}\\boxed{", "1,", ",123", "- - 3", "<answer></answer>", "####"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, rule := range extractors {
			if ans, ok := rule(s); ok && ans == "" {
				t.Errorf("%s(%q) reported an empty answer as found", name, s)
			}
		}
	})
}
