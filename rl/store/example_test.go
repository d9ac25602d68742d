package store_test

import (
	"fmt"
	"os"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rewards"
	"grit/rl"
	"grit/rl/store"
)

// ExampleReadStepFile reads a step's rollouts the way a run leaves them in
// <run>/rollouts/step-NNNNNN.arrow. The example first writes such a file itself, as the trainer
// does after each step (store.StepRecord, then store.WriteStepFile at store.StepFilePath).
func ExampleReadStepFile() {
	runDir, err := os.MkdirTemp("", "grit-run-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(runDir)
	writeStep(runDir, 3)

	// Reading: ReadStepFile opens and validates the Arrow IPC file (one row per turn).
	rec, err := store.ReadStepFile(memory.DefaultAllocator, store.StepFilePath(runDir, 3))
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	fmt.Println("rows:", rec.NumRows(), "first columns:", rec.ColumnName(0), rec.ColumnName(1), rec.ColumnName(2))

	// RecordSamples decodes the rows back into samples (a copy).
	runID, samples, err := store.RecordSamples(rec)
	if err != nil {
		panic(err)
	}
	fmt.Println("run:", runID)
	for _, s := range samples {
		fmt.Printf("step %d (policy version %d) group %d sample %d: %q reward %v correct %v advantage %v tokens %v\n",
			s.Step, s.PolicyVersion, s.Group, s.Index, s.Turns[0].Text, s.Reward, s.Correct, s.Advantage, s.Turns[0].Tokens)
	}

	// NewRollouts is the trainer's zero-copy view: mini-batches alias the record's buffers.
	view, err := store.NewRollouts(rec)
	if err != nil {
		panic(err)
	}
	defer view.Release()
	mb, err := view.MiniBatch([]int{1})
	if err != nil {
		panic(err)
	}
	fmt.Println("row 1 completion:", mb.Completion[0], "log-probs:", mb.OldLogp[0])
	// Output:
	// rows: 2 first columns: run_id step policy_version
	// run: demo-run
	// step 3 (policy version 2) group 0 sample 0: "46" reward 1 correct true advantage 1 tokens [4 6]
	// step 3 (policy version 2) group 0 sample 1: "45" reward 0 correct false advantage -1 tokens [4 5]
	// row 1 completion: [4 5] log-probs: [-0.25 -2]
}

// writeStep writes one group of two answers to "12+34=" as the step's rollout file.
func writeStep(runDir string, step int) {
	answer := func(index int, text string, tokens []int, logp []float32, correct bool) rl.Sample {
		value := 0.0
		if correct {
			value = 1
		}
		return rl.Sample{
			// sampled by the policy at the start of the step: it had completed step-1 steps
			Step: step, PolicyVersion: step - 1, PromptID: "12+34", Group: 0, Index: index, PromptText: "12+34=",
			Turns:      []rl.TurnTokens{{Context: []int{1, 2, 10, 3, 4, 11}, Tokens: tokens, Logp: logp, Text: text}},
			Components: []rewards.Component{{Name: "correct", Value: value, OK: true}},
			Reward:     value, RewardOK: true, Correct: correct, NumTokens: len(tokens),
			Advantage: 2*value - 1, // (r - mean) / std over the group {1, 0}
		}
	}
	samples := []rl.Sample{
		answer(0, "46", []int{4, 6}, []float32{-0.5, -0.125}, true),
		answer(1, "45", []int{4, 5}, []float32{-0.25, -2}, false),
	}
	rec, err := store.StepRecord(memory.DefaultAllocator, "demo-run", samples)
	if err != nil {
		panic(err)
	}
	defer rec.Release()
	if err := store.WriteStepFile(store.StepFilePath(runDir, step), rec); err != nil {
		panic(err)
	}
}
