package distrib

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"grit/envs"
	"grit/policy"
	"grit/rewards"
	"grit/trainers"
)

// sampleGroup is a hand-built group: two episodes, the first with two turns, log-probs including
// values whose bits a float64 detour or a text format would change (NaN payload, -Inf, -0, a
// subnormal), reward components with and without errors.
func sampleGroup() (*task, []*trainers.Trajectory) {
	tk := &task{ID: taskID(4, 1, 2), Step: 4, Round: 1, Group: 2, Copies: 2, Task: envs.Task{ID: "t7", Prompt: "1+1=", Answer: "2"}}
	odd := []float32{math.Float32frombits(0x7fc00123), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), math.Float32frombits(1), -0.6931472}
	trajs := []*trainers.Trajectory{
		{Task: tk.Task, Group: 2, Index: 0, Turns: []trainers.EpisodeTurn{
			{Context: []int{1, 5, 6}, Gen: policy.Generation{Tokens: []int{7, 8, 9, 10, 2}, LogProbs: odd, Finished: true, Text: "3"},
				Reward:      rewards.Result{Components: []rewards.Component{{Name: "correct", Value: 0, OK: true}, {Name: "format", Value: 0.5, OK: false, Err: "no answer tag"}}},
				Observation: "wrong, try again", ToolCalls: 1},
			{Context: []int{1, 5, 6, 7, 8, 9, 10, 2, 11}, Gen: policy.Generation{Tokens: []int{12}, LogProbs: []float32{-0.25}, Finished: false, Text: "2"},
				Reward: rewards.Result{Components: []rewards.Component{{Name: "correct", Value: 1, OK: true}}, Correct: true}},
		}},
		{Task: tk.Task, Group: 2, Index: 1, Turns: []trainers.EpisodeTurn{
			{Context: []int{1, 5, 6}, Gen: policy.Generation{Tokens: []int{}, LogProbs: []float32{}, Finished: true}},
		}},
	}
	return tk, trajs
}

func TestResultRoundTripIsBitExact(t *testing.T) {
	tk, trajs := sampleGroup()
	raw, err := encodeResult(resultMeta{TaskID: tk.ID, WorkerID: "w1", Version: 4, Group: 2}, trajs)
	if err != nil {
		t.Fatal(err)
	}
	got, worker, version, err := decodeResult(raw, tk)
	if err != nil {
		t.Fatal(err)
	}
	if worker != "w1" || version != 4 {
		t.Fatalf("worker %q version %d, want w1 4", worker, version)
	}
	for i := range trajs {
		a, b := trajs[i], got[i]
		if a.Group != b.Group || a.Index != b.Index || a.Task.ID != b.Task.ID || len(a.Turns) != len(b.Turns) {
			t.Fatalf("episode %d: header differs: %+v vs %+v", i, a, b)
		}
		for k := range a.Turns {
			x, y := a.Turns[k], b.Turns[k]
			for j := range x.Gen.LogProbs {
				if math.Float32bits(x.Gen.LogProbs[j]) != math.Float32bits(y.Gen.LogProbs[j]) {
					t.Fatalf("episode %d turn %d log-prob %d: bits %08x became %08x", i, k, j, math.Float32bits(x.Gen.LogProbs[j]), math.Float32bits(y.Gen.LogProbs[j]))
				}
			}
			x.Gen.LogProbs, y.Gen.LogProbs = nil, nil // NaN != NaN: compared by bits above
			if len(x.Gen.Tokens) == 0 && len(y.Gen.Tokens) == 0 {
				x.Gen.Tokens, y.Gen.Tokens = nil, nil
			}
			if !reflect.DeepEqual(x, y) {
				t.Fatalf("episode %d turn %d:\n sent %+v\n got  %+v", i, k, x, y)
			}
		}
	}
}

// Each kind of malformed result is rejected with a message that says what is wrong.
func TestMalformedResultsAreRejected(t *testing.T) {
	tk, trajs := sampleGroup()
	encode := func(meta resultMeta, tr []*trainers.Trajectory) []byte {
		raw, err := encodeResult(meta, tr)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	good := resultMeta{TaskID: tk.ID, WorkerID: "w1", Version: 4, Group: 2}
	other := *trajs[0]
	other.Group = 3
	short := *trajs[1]
	short.Turns = []trainers.EpisodeTurn{trajs[1].Turns[0]}
	short.Turns[0].Gen.Tokens = []int{4}
	short.Turns[0].Gen.LogProbs = []float32{}
	cases := map[string]struct {
		raw  []byte
		want string
	}{
		"not arrow":            {[]byte("hello"), "not an Arrow IPC stream"},
		"truncated":            {encode(good, trajs)[:200], "result"},
		"another task":         {encode(resultMeta{TaskID: "s000001-r000-g00000", WorkerID: "w1"}, trajs), "belongs to task"},
		"another group":        {encode(good, []*trainers.Trajectory{&other, trajs[1]}), "belongs to task"},
		"missing episode":      {encode(good, trajs[:1]), "episode 1 of 2 is missing"},
		"repeated episode":     {encode(good, []*trainers.Trajectory{trajs[0], trajs[0], trajs[1]}), "out of order"},
		"log-probs vs tokens":  {encode(good, []*trainers.Trajectory{trajs[0], &short}), "1 tokens but 0 log-probs"},
		"wrong schema":         {[]byte(strings.Replace(string(encode(good, trajs)), "reward_value", "reward_valuf", 1)), "wrong schema"},
		"episode out of range": {encode(good, []*trainers.Trajectory{trajs[0], {Group: 2, Index: 5, Turns: trajs[1].Turns}}), "outside 0..1"},
	}
	for name, c := range cases {
		if _, _, _, err := decodeResult(c.raw, tk); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, c.want)
		}
	}
}
