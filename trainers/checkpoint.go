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

// A run folder's checkpoints/latest (and checkpoints/best) hold:
//
//	model.safetensors, config.json, tokenizer.json   the policy (policy.GPT.Save)
//	optimizer.safetensors                             AdamW moments and step count
//	state.json                                        loop state: next step, counters, base metrics
//
// Every step's randomness is derived from (seed, step), so no RNG state is needed to resume exactly.
const (
	optimizerFile = "optimizer.safetensors"
	stateFile     = "state.json"
)

// loopState is the trainer's own state at a step boundary.
type loopState struct {
	Step         int         `json:"step"`           // next step to run
	OptSteps     int         `json:"opt_steps"`      // optimiser steps taken (drives the LR schedule)
	BadInARow    int         `json:"bad_in_a_row"`   // consecutive non-finite updates
	BadTotal     int         `json:"bad_total"`      // non-finite updates skipped in total
	EmptyInARow  int         `json:"empty_in_a_row"` // consecutive steps with every sample excluded
	BestAccuracy float64     `json:"best_accuracy"`  // best held-out accuracy so far
	BestStep     int         `json:"best_step"`      // step of the best accuracy
	LastEvalAcc  float64     `json:"last_eval_acc"`  // most recent held-out accuracy
	HaveEval     bool        `json:"have_eval"`      // whether LastEvalAcc is set
	Base         EvalMetrics `json:"base,omitempty"` // eval of the starting policy
}

// saveCheckpoint writes a checkpoint into dir atomically: everything goes to dir+".tmp", then the
// old dir is moved aside and the new one renamed into place. A crash at any point leaves either the
// old or the new checkpoint complete (loadCheckpoint also looks at dir+".old").
func saveCheckpoint(dir string, pol *policy.GPT, opt *tensor.AdamW, st loopState) error {
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
func loadCheckpoint(dir string, opt *tensor.AdamW) (*policy.GPT, loopState, error) {
	var st loopState
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if _, err2 := os.Stat(dir + ".old"); err2 == nil {
			dir += ".old" // interrupted between the two renames
		} else {
			return nil, st, fmt.Errorf("no checkpoint at %s: the run has not written one yet (checkpoints are written every checkpoint_every steps and on Ctrl-C)", dir)
		}
	}
	pol, err := policy.Load(dir)
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
		tensors, _, err := policy.ReadSafetensors(filepath.Join(dir, optimizerFile))
		if err != nil {
			return nil, st, fmt.Errorf("checkpoint %s: %w", dir, err)
		}
		if err := opt.LoadState(tensors, pol.Params()); err != nil {
			return nil, st, fmt.Errorf("checkpoint %s: optimizer: %w", dir, err)
		}
	}
	return pol, st, nil
}
