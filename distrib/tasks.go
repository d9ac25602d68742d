package distrib

import (
	"encoding/json"
	"fmt"

	"grit/envs"
)

// task is one prompt group to play: a work-queue message. The seeds come from (Seed, StepKey,
// episode, turn) exactly as in the single process; episodes are Group*Copies .. +Copies-1.
type task struct {
	ID      string `json:"id"`      // taskID(step, round, group): results are ordered and de-duplicated by it
	Session string `json:"session"` // the learner process that issued it; results of another are stale
	Step    int    `json:"step"`    // 0-based step index
	Round   int    `json:"round"`   // dynamic-sampling round
	Group   int    `json:"group"`   // prompt group within the round
	Copies  int    `json:"copies"`  // num_generations
	Seed    uint64 `json:"seed"`
	StepKey uint64 `json:"step_key"` // step<<8 | round
	Version int    `json:"version"`  // policy version to sample with (policystore.go)
	// Batch is how many tasks of the round a worker takes at once and plays in one sampler call:
	// the round's groups shared among the workers the learner knows of (Learner.share); 0 = 1.
	Batch int       `json:"batch,omitempty"`
	Task  envs.Task `json:"task"`
}

// taskID names group g of round r of step s (0-based); ids sort in play order.
func taskID(step, round, group int) string {
	return fmt.Sprintf("s%06d-r%03d-g%05d", step+1, round, group)
}

func (t *task) encode() ([]byte, error) { return json.Marshal(t) }

func decodeTask(b []byte) (*task, error) {
	var t task
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("task message is not a grit task (%v)", err)
	}
	if t.ID != taskID(t.Step, t.Round, t.Group) || t.Copies < 1 {
		return nil, fmt.Errorf("task message %q is inconsistent (step %d round %d group %d copies %d)", t.ID, t.Step, t.Round, t.Group, t.Copies)
	}
	return &t, nil
}

// Headers of a result message.
const (
	hdrTask      = "Grit-Task"       // task id
	hdrSession   = "Grit-Session"    // the task's session
	hdrWorker    = "Grit-Worker"     // worker id
	hdrDelivered = "Grit-Delivered"  // how many times JetStream delivered the task (1 = first)
	hdrSampleS   = "Grit-Sample-S"   // seconds the worker spent sampling the group
	hdrGenTokens = "Grit-Gen-Tokens" // tokens the worker generated for the group
)
