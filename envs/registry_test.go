package envs

import (
	"strings"
	"testing"

	"grit/rewards"
)

func TestBuiltinsRegistered(t *testing.T) {
	got := strings.Join(Registered(), ",")
	for _, name := range []string{"arithmetic", "correction", "countdown", "dataset"} {
		if !strings.Contains(got, name) {
			t.Errorf("env %q not registered (have %s)", name, got)
		}
	}
	_, err := New("arithmatic", nil)
	if err == nil || !strings.Contains(err.Error(), "arithmetic, correction, countdown, dataset") {
		t.Errorf("unknown env error should list the registered ones: %v", err)
	}
	f, err := rewards.New("countdown", map[string]any{"format_score": 0.2})
	if err != nil {
		t.Fatal(err)
	}
	res := rewards.GradeAll([]rewards.Func{f}, rewards.Input{Completion: "1+2", Meta: map[string]string{"numbers": "3 5 7", "target": "22"}})
	if c := res.Components[0]; !c.OK || c.Value != 0.2 || res.Correct {
		t.Errorf("countdown reward with format_score 0.2: %+v", res)
	}
	res = rewards.GradeAll([]rewards.Func{f}, rewards.Input{Completion: "1+2"})
	if c := res.Components[0]; c.OK || !strings.Contains(c.Err, "numbers") {
		t.Errorf("countdown reward without numbers should fail with a reason: %+v", c)
	}
}
