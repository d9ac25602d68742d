package trainers

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
	"grit/rl/store"
)

// storeRollouts turns the step's samples into one Arrow record batch (one row per scored turn;
// schema in store.RolloutSchema) and returns a view the updates read mini-batches from without
// copying token data; the caller releases it. The updates always read this in-memory record, so
// what is kept on disk does not change training. On every rollouts.every-th step the record is
// also written to rollouts/step-NNNNNN.arrow (NNNNNN = step+1, the step's number as in
// metrics.jsonl; samples carry the same number), and then only the rollouts.keep_last newest step
// files are kept.
func (t *trainer) storeRollouts(step int, samples []rl.Sample) (*store.Rollouts, error) {
	rec, err := store.StepRecord(memory.DefaultAllocator, filepath.Base(t.dir), samples)
	if err != nil {
		return nil, fmt.Errorf("building the rollout record: %w", err)
	}
	defer rec.Release()
	if keepsRollouts(t.cfg.Rollouts, step+1) {
		if err := os.MkdirAll(t.path("rollouts"), 0o755); err != nil {
			return nil, err
		}
		if err := store.WriteStepFile(store.StepFilePath(t.dir, step+1), rec); err != nil {
			return nil, err
		}
		if err := pruneRollouts(t.dir, t.cfg.Rollouts.KeepLast); err != nil {
			return nil, err
		}
	}
	t.rolloutsStored(samples)
	return store.NewRollouts(rec)
}

// keepsRollouts reports whether step (1-based) writes its step file: every rollouts.every-th step;
// none when every is 0.
func keepsRollouts(rc RolloutsConfig, step int) bool {
	return rc.Every > 0 && step%rc.Every == 0
}

// pruneRollouts deletes all but the keep newest step files of runDir (keep 0: none is deleted).
func pruneRollouts(runDir string, keep int) error {
	if keep <= 0 {
		return nil
	}
	files, err := store.StepFiles(runDir) // in step order
	if err != nil {
		return err
	}
	for len(files) > keep {
		if err := os.Remove(files[0]); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("rollouts.keep_last: deleting %s: %w", files[0], err)
		}
		files = files[1:]
	}
	return nil
}
