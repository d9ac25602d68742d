package envs

import "testing"

// env_args.extractor: exact makes the arithmetic verifier require the answer alone, as written.
func TestArithmeticExactExtractor(t *testing.T) {
	for _, tc := range []struct {
		extractor string
		suffix    string
		want      bool
	}{
		{"auto", "", true}, {"auto", ".0", true}, {"exact", "", true}, {"exact", ".0", false},
		{"exact", " ", false}, {"exact_trim", " ", true},
	} {
		env, err := New("arithmetic", map[string]any{"extractor": tc.extractor})
		if err != nil {
			t.Fatal(err)
		}
		task := env.Tasks().HeldOut()[0]
		ep, err := env.Reset(task)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ep.Step(task.Answer + tc.suffix)
		if err != nil {
			t.Fatal(err)
		}
		if res.Reward.Correct != tc.want {
			t.Errorf("extractor %s: %q for answer %q: correct %v, want %v", tc.extractor, task.Answer+tc.suffix, task.Answer, res.Reward.Correct, tc.want)
		}
	}
}
