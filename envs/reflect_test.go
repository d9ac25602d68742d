package envs

import (
	"strings"
	"testing"
)

// reflectEnv is a two-attempt correction env on one-digit sums wrapped for reflect-and-retry.
func reflectEnv(t *testing.T, args Params, opts ReflectRetryOptions) Env {
	t.Helper()
	p := Params{"base": "arithmetic", "base_args": map[string]any{"digits_max": 1}, "instruction": "\nfix:"}
	for k, v := range args {
		p[k] = v
	}
	env, err := ReflectRetry(mustEnv(t, "correction", p), opts)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// The turn structure: a right first attempt ends the episode; a wrong one asks for the reflection
// (after the verdict when feedback is on), the reflection is ungraded and followed by the
// correction instruction, and the retry is graded and ends the episode.
func TestReflectRetryTurns(t *testing.T) {
	env := reflectEnv(t, Params{"feedback": true, "feedback_incorrect": " no"}, ReflectRetryOptions{Reflection: "?", ReflectionTokens: 4})
	if env.Name() != "reflect_retry(arithmetic)" || env.MaxTurns() != 3 || env.(MultiAttempt).Attempts() != 2 {
		t.Fatalf("name %q, %d turns", env.Name(), env.MaxTurns())
	}
	if !IsReflectionTurn(env, 1) || IsReflectionTurn(env, 0) || IsReflectionTurn(env, 2) {
		t.Error("only turn 2 (index 1) is the reflection")
	}
	if TurnMaxTokens(env, 1, 6) != 4 || TurnMaxTokens(env, 0, 6) != 6 || TurnMaxTokens(env, 2, 6) != 6 {
		t.Error("the reflection's budget is 4 tokens, the attempts keep the caller's 6")
	}
	task := Task{ID: "1+2", Prompt: "1+2=", Answer: "3", Solution: "3"}
	ep, _ := env.Reset(task)
	if res, err := ep.Step("3"); err != nil || !res.Done || !res.Reward.Correct || res.Observation != "" {
		t.Errorf("right first attempt: %+v %v; want done, right, no observation", res, err)
	}
	if _, err := ep.Step("3"); err == nil {
		t.Error("a step after the episode ended should be an error")
	}
	ep, _ = env.Reset(task)
	want := []struct {
		action, obs   string
		graded, right bool
		done          bool
	}{
		{"4", " no?", true, false, false},
		{"carry", "\nfix:", false, false, false},
		{"3", "", true, true, true},
	}
	for i, w := range want {
		res, err := ep.Step(w.action)
		if err != nil {
			t.Fatal(err)
		}
		if res.Observation != w.obs || res.Done != w.done || (len(res.Reward.Components) > 0) != w.graded || res.Reward.Correct != w.right {
			t.Errorf("turn %d: %+v; want observation %q done %v graded %v right %v", i+1, res, w.obs, w.done, w.graded, w.right)
		}
	}
}

// Without a reflection the retry follows the first attempt at once, after the instruction.
func TestRetryWithoutReflection(t *testing.T) {
	env := reflectEnv(t, nil, ReflectRetryOptions{})
	if env.Name() != "retry(arithmetic)" || env.MaxTurns() != 2 || IsReflectionTurn(env, 1) {
		t.Fatalf("name %q, %d turns", env.Name(), env.MaxTurns())
	}
	ep, _ := env.Reset(Task{ID: "1+2", Prompt: "1+2=", Answer: "3"})
	res, _ := ep.Step("4")
	if res.Observation != "\nfix:" || res.Done {
		t.Errorf("wrong first attempt: %+v; want the instruction, not done", res)
	}
	if res, _ = ep.Step("3"); !res.Done || !res.Reward.Correct {
		t.Errorf("retry: %+v; want done and right", res)
	}
}

// Only a two-attempt correction env can be wrapped; the errors say what to use.
func TestReflectRetryNeedsTwoAttemptCorrection(t *testing.T) {
	if _, err := ReflectRetry(mustEnv(t, "arithmetic", Params{}), ReflectRetryOptions{}); err == nil || !strings.Contains(err.Error(), "use env correction") {
		t.Errorf("arithmetic: %v", err)
	}
	three := mustEnv(t, "correction", Params{"base": "arithmetic", "attempts": 3})
	if _, err := ReflectRetry(three, ReflectRetryOptions{}); err == nil || !strings.Contains(err.Error(), "attempts: 2") {
		t.Errorf("three attempts: %v", err)
	}
}
