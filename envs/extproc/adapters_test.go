package extproc

import (
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"grit/envs"
	"grit/rewards"
)

// fixedTasks is a base env for the tests: two tasks, single-turn.
type fixedTasks struct{}

func (fixedTasks) Name() string                          { return "extproc_test_base" }
func (fixedTasks) Tasks() envs.TaskSource                { return fixedTasks{} }
func (fixedTasks) MaxTurns() int                         { return 1 }
func (fixedTasks) Reset(envs.Task) (envs.Episode, error) { return nil, nil }
func (fixedTasks) Train(n int, rng *rand.Rand) []envs.Task {
	out := make([]envs.Task, n)
	for i := range out {
		out[i] = fixedTasks{}.HeldOut()[rng.IntN(2)]
	}
	return out
}
func (fixedTasks) HeldOut() []envs.Task {
	return []envs.Task{
		{ID: "a", Prompt: "2+3=?", Answer: "5", Meta: map[string]string{"difficulty": "1"}},
		{ID: "b", Prompt: "7*6=?", Answer: "42"},
	}
}

func init() {
	envs.Register("extproc_test_base", func(p envs.Params) (envs.Env, error) { return fixedTasks{}, nil })
}

func closeOrFail(t *testing.T, v any) {
	t.Helper()
	c, ok := v.(io.Closer)
	if !ok {
		t.Fatalf("%T holds plugin processes but is not an io.Closer", v)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestExecRewardReturnsChosenComponent(t *testing.T) {
	cmd := pythonPlugin(t, "example_reward.py")
	f, err := rewards.New("exec", map[string]any{"command": toAny(cmd), "component": "length", "name": "plugin_length", "timeout": "5s", "pool": 2})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, f)
	if f.Name() != "plugin_length" {
		t.Errorf("name = %q", f.Name())
	}
	if v, err := f.Grade(rewards.Input{Answer: "5", Completion: "five"}); err != nil || v != 4 {
		t.Errorf("Grade = %v, %v; want 4 (the length of \"five\")", v, err)
	}
	if _, isJudge := f.(rewards.Judge); isJudge {
		t.Error("a length reward without correct_at must not be a Judge")
	}
}

func TestExecRewardAsJudgeAndFailure(t *testing.T) {
	f, err := rewards.New("exec", map[string]any{"command": toAny(pythonPlugin(t, "example_reward.py")), "correct_at": 1.0})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, f)
	if f.Name() != "correct" {
		t.Errorf("default name = %q; want the first component, correct", f.Name())
	}
	res := rewards.GradeAll([]rewards.Func{f}, rewards.Input{Answer: "5", Completion: "so 5"})
	if !res.Correct || !res.Components[0].OK || res.Components[0].Value != 1 {
		t.Errorf("right answer: %+v", res)
	}
	res = rewards.GradeAll([]rewards.Func{f}, rewards.Input{Answer: "five", Completion: "so 5"})
	if res.Correct || res.Components[0].OK || !strings.Contains(res.Components[0].Err, "not a number") {
		t.Errorf("a plugin's component error must become a failed component: %+v", res)
	}
}

func TestExecRewardParamErrors(t *testing.T) {
	cmd := toAny(pythonPlugin(t, "example_reward.py"))
	cases := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{}, `"command": missing`},
		{map[string]any{"command": cmd, "timout": "1s"}, `unknown param "timout"`},
		{map[string]any{"command": cmd, "timeout": "fast"}, `"fast" is not a duration`},
		{map[string]any{"command": cmd, "timeout": -1}, "must be a positive duration"},
		{map[string]any{"command": cmd, "pool": 0}, "at least 1"},
		{map[string]any{"command": cmd, "component": "speed"}, `no component "speed"; it declares: correct, length`},
		{map[string]any{"command": 3}, "list of strings"},
	}
	for _, c := range cases {
		f, err := rewards.New("exec", c.params)
		if err == nil {
			closeOrFail(t, f)
			t.Errorf("%v: no error; want one mentioning %q", c.params, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v; want it to mention %q", c.params, err, c.want)
		}
	}
}

func TestPluginEnvMultiTurn(t *testing.T) {
	cmd := pythonPlugin(t, "example_reward.py", "--feedback")
	e, err := envs.New("plugin", envs.Params{"base": "extproc_test_base", "command": strings.Join(cmd, " "), "max_turns": 2, "timeout": 5})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, e)
	if e.MaxTurns() != 2 || e.Name() != "plugin:example_reward" || len(e.Tasks().HeldOut()) != 2 {
		t.Fatalf("env = %s, %d turns, %d held-out tasks", e.Name(), e.MaxTurns(), len(e.Tasks().HeldOut()))
	}
	ep, err := e.Reset(e.Tasks().HeldOut()[1]) // 7*6, answer 42
	if err != nil {
		t.Fatal(err)
	}
	r, err := ep.Step("it is 41")
	if err != nil || r.Done || !strings.Contains(r.Observation, "not correct") || r.Reward.Correct {
		t.Fatalf("wrong first turn: %+v, %v; want feedback and not done", r, err)
	}
	r, err = ep.Step("sorry, 42")
	if err != nil || !r.Done || r.Observation != "" || !r.Reward.Correct {
		t.Fatalf("right second turn: %+v, %v; want done and correct", r, err)
	}
	if c, _ := rewards.Lookup(r.Reward, "length"); !c.OK || c.Value != float64(len("sorry, 42")) {
		t.Errorf("length component = %+v", c)
	}
	if _, err := ep.Step("again"); err == nil {
		t.Error("Step after the episode is over must fail")
	}
}

func TestPluginEnvMaxTurnsEndsEpisode(t *testing.T) {
	e, err := envs.New("plugin", envs.Params{"base": "extproc_test_base", "command": toAny(pythonPlugin(t, "example_reward.py", "--feedback"))})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, e)
	ep, _ := e.Reset(e.Tasks().HeldOut()[0])
	r, err := ep.Step("6")
	if err != nil || !r.Done || r.Observation != "" {
		t.Errorf("with the base env's single turn, a wrong answer must end the episode: %+v, %v", r, err)
	}
}

func TestPluginEnvFailedCallEndsEpisodeWithFailedComponents(t *testing.T) {
	e, err := envs.New("plugin", envs.Params{"base": "extproc_test_base", "command": toAny(pythonPlugin(t, "hang_plugin.py")),
		"timeout": 0.2, "max_turns": 3})
	if err != nil {
		t.Fatal(err)
	}
	defer closeOrFail(t, e)
	ep, _ := e.Reset(e.Tasks().HeldOut()[0])
	start := time.Now()
	r, err := ep.Step("hang now")
	if err != nil || !r.Done || len(r.Reward.Components) != 1 || r.Reward.Components[0].OK ||
		!strings.Contains(r.Reward.Components[0].Err, "timed out after 200ms") {
		t.Errorf("hung plugin: %+v, %v; want a done step with a failed, explained component", r, err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("hung call took %v", time.Since(start))
	}
}

func TestPluginEnvParamErrors(t *testing.T) {
	cmd := toAny(pythonPlugin(t, "example_reward.py"))
	cases := []struct {
		params envs.Params
		want   string
	}{
		{envs.Params{"command": cmd}, `"base": missing`},
		{envs.Params{"base": "nope", "command": cmd}, `unknown env "nope"`},
		{envs.Params{"base": "extproc_test_base"}, `"command": missing`},
		{envs.Params{"base": "extproc_test_base", "command": cmd, "max_turns": 0}, "at least 1"},
		{envs.Params{"base": "extproc_test_base", "command": cmd, "turns": 2}, `unknown param "turns"`},
		{envs.Params{"base": "extproc_test_base", "command": toAny(pythonPlugin(t, "wrong_version_plugin.py"))}, "protocol version 2"},
	}
	for _, c := range cases {
		e, err := envs.New("plugin", c.params)
		if err == nil {
			closeOrFail(t, e)
			t.Errorf("%v: no error; want one mentioning %q", c.params, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v; want it to mention %q", c.params, err, c.want)
		}
	}
}

// toAny turns a command into the []any a YAML or JSON config decodes to.
func toAny(cmd []string) []any {
	out := make([]any, len(cmd))
	for i, s := range cmd {
		out[i] = s
	}
	return out
}
