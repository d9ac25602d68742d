package trainers

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"grit/policy"
	"grit/tensor"
)

// A checkpoint folder (checkpoints/step-NNNNNN, and checkpoints/best without the optimizer) holds:
//
//	model.safetensors, config.json, tokenizer.json   the policy (Policy.Save: the model family's own folder layout)
//	optimizer.safetensors                             AdamW moments and step count
//	state.json                                        loop state: completed steps, counters, base metrics
//
// The rotation of step folders and the checkpoints/latest link are in checkpointdir.go.
// Every step's randomness is derived from (seed, step), so no RNG state is needed to resume exactly.
const (
	optimizerFile = "optimizer.safetensors"
	stateFile     = "state.json"
)

// loopState is the trainer's own state at a step boundary.
type loopState struct {
	Step         int         `json:"step"`           // completed steps (the next step's 0-based index)
	OptSteps     int         `json:"opt_steps"`      // optimiser steps taken (drives the LR schedule)
	BadInARow    int         `json:"bad_in_a_row"`   // consecutive non-finite updates
	BadTotal     int         `json:"bad_total"`      // non-finite updates skipped in total
	EmptyInARow  int         `json:"empty_in_a_row"` // consecutive steps with every sample excluded
	BestAccuracy float64     `json:"best_accuracy"`  // best held-out accuracy so far
	BestStep     int         `json:"best_step"`      // step of the best accuracy
	LastEvalAcc  float64     `json:"last_eval_acc"`  // most recent held-out accuracy
	HaveEval     bool        `json:"have_eval"`      // whether LastEvalAcc is set
	Base         EvalMetrics `json:"base,omitempty"` // eval of the starting policy
	ElapsedS     float64     `json:"elapsed_s"`      // elapsed_total_s when the checkpoint was written
	stopState
}

// saveCheckpoint writes a checkpoint into dir atomically: everything goes to dir+".tmp", then the
// old dir is moved aside and the new one renamed into place. A crash at any point leaves either the
// old or the new checkpoint complete (loadCheckpoint also looks at dir+".old").
// It refuses parameters or optimizer moments that are not finite (naming the tensor), so a diverged
// state never replaces a good checkpoint.
func saveCheckpoint(dir string, pol policy.Policy, opt *tensor.AdamW, st loopState) error {
	weights := map[string]*tensor.Tensor{}
	for _, p := range pol.Params() {
		weights[p.Name] = p.Value
	}
	if err := policy.CheckFinite(dir, weights); err != nil {
		return fmt.Errorf("not writing checkpoint: %w", err)
	}
	if opt != nil {
		if err := policy.CheckFinite(dir, opt.State()); err != nil {
			return fmt.Errorf("not writing checkpoint: optimizer %w", err)
		}
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := pol.Save(tmp); err != nil {
		return err
	}
	if opt != nil {
		if err := policy.WriteSafetensors(filepath.Join(tmp, optimizerFile), opt.State(), map[string]string{"producer": "grit/trainers"}); err != nil {
			return err
		}
	}
	raw, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, stateFile), append(raw, '\n'), 0o644); err != nil {
		return err
	}
	old := dir + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// loadCheckpoint reads a checkpoint written by saveCheckpoint, restoring the optimizer's state.
func loadCheckpoint(dir string, opt *tensor.AdamW) (policy.Policy, loopState, error) {
	var st loopState
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if _, err2 := os.Stat(dir + ".old"); err2 == nil {
			dir += ".old" // interrupted between the two renames
		} else {
			return nil, st, fmt.Errorf("no checkpoint at %s: the run has not written one yet (checkpoints are written every checkpoint_every steps and on Ctrl-C)", dir)
		}
	}
	pol, err := policy.LoadPolicy(dir)
	if err != nil {
		return nil, st, err
	}
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, st, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, st, fmt.Errorf("checkpoint %s: %s: %w", dir, stateFile, err)
	}
	if opt != nil {
		path := filepath.Join(dir, optimizerFile)
		tensors, _, err := policy.ReadSafetensors(path)
		if err != nil {
			return nil, st, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
		if err := policy.CheckFinite(path, tensors); err != nil {
			return nil, st, err
		}
		if st.OptSteps == 0 && len(tensors) == 1 {
			return pol, st, nil // no optimiser step yet (e.g. Ctrl-C before step 1): AdamW has no moments
		}
		if err := opt.LoadState(tensors, pol.Params()); err != nil {
			return nil, st, fmt.Errorf("checkpoint %s: optimizer: %w", dir, err)
		}
	}
	return pol, st, nil
}
