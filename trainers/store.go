package trainers

import (
	"fmt"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rl"
	"grit/rl/store"
)

// storeRollouts turns the step's samples into one Arrow record batch (one row per turn;
// schema in store.RolloutSchema), writes it to rollouts/step-NNNNNN.arrow (NNNNNN = step+1, the step's
// number as in metrics.jsonl; samples carry the same number), and returns a view the
// updates read mini-batches from without copying token data. The caller releases it.
func (t *trainer) storeRollouts(step int, samples []rl.Sample) (*store.Rollouts, error) {
	rec, err := store.StepRecord(memory.DefaultAllocator, filepath.Base(t.dir), samples)
	if err != nil {
		return nil, fmt.Errorf("building the rollout record: %w", err)
	}
	defer rec.Release()
	if err := store.WriteStepFile(store.StepFilePath(t.dir, step+1), rec); err != nil {
		return nil, err
	}
	t.rolloutsStored(samples)
	return store.NewRollouts(rec)
}
