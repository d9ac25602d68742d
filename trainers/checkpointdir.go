package trainers

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"grit/policy"
)

// Checkpoint rotation. checkpoints/ holds one folder per checkpoint, named after the number of
// completed steps, and a symbolic link to the newest:
//
//	checkpoints/step-000040/   checkpoints/step-000050/   checkpoints/latest -> step-000050
//
// A checkpoint is written to step-NNNNNN.tmp and renamed into place (saveCheckpoint), then the link
// is replaced by renaming a fresh link over it; both renames are atomic, so a crash leaves latest
// pointing at a complete checkpoint. Only the newest keep_checkpoints step folders are kept.

const latestName = "latest"

// checkpointName is the folder of the checkpoint taken after `step` completed steps.
func checkpointName(step int) string { return fmt.Sprintf("step-%06d", step) }

// checkpointStep parses a folder name written by checkpointName.
func checkpointStep(name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(name, "step-"))
	if err != nil || n < 0 || checkpointName(n) != name {
		return 0, false
	}
	return n, true
}

// stepCheckpoints lists the step folders under root, newest first.
func stepCheckpoints(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	type ck struct {
		name string
		step int
	}
	var cks []ck
	for _, e := range entries {
		if n, ok := checkpointStep(e.Name()); ok && e.IsDir() {
			cks = append(cks, ck{e.Name(), n})
		}
	}
	sort.Slice(cks, func(i, j int) bool { return cks[i].step > cks[j].step })
	names := make([]string, len(cks))
	for i, c := range cks {
		names[i] = c.name
	}
	return names, nil
}

// checkpoint saves the loop state as checkpoints/step-NNNNNN, points checkpoints/latest at it and
// prunes old step folders. A state whose last update was not finite is not saved: the previous
// checkpoint stays the latest (resuming from it is exact, the later steps are run again).
func (t *trainer) checkpoint() error {
	if t.st.BadInARow > 0 {
		t.logf("not checkpointing step %d: its last update was not finite; %s", t.st.Step, t.lastGoodCheckpoint())
		return nil
	}
	root := t.path("checkpoints")
	name := checkpointName(t.st.Step)
	t.st.ElapsedS = t.elapsedTotal()
	if err := saveCheckpoint(filepath.Join(root, name), t.pol, t.opt, t.st); err != nil {
		return err
	}
	if err := pointLatest(root, name); err != nil {
		return err
	}
	t.savedStep = t.st.Step
	return pruneCheckpoints(root, t.cfg.KeepCheckpoints)
}

// lastGoodCheckpoint says where the last good parameters are, for error messages.
func (t *trainer) lastGoodCheckpoint() string {
	if t.savedStep < 0 {
		return "no checkpoint had been written yet, so there is nothing to resume"
	}
	return fmt.Sprintf("%s (-> %s) holds the last good parameters (after step %d)",
		t.path("checkpoints", latestName), checkpointName(t.savedStep), t.savedStep)
}

// pointLatest makes root/latest a link to root/name, atomically.
func pointLatest(root, name string) error {
	latest := filepath.Join(root, latestName)
	tmp := latest + ".tmp"
	if err := os.Remove(tmp); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Symlink(name, tmp); err != nil {
		return fmt.Errorf("checkpoint link: %w", err)
	}
	if fi, err := os.Lstat(latest); err == nil && fi.IsDir() { // a plain folder (older layout)
		if err := os.RemoveAll(latest); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, latest); err != nil {
		return fmt.Errorf("checkpoint link: %w", err)
	}
	return nil
}

// pruneCheckpoints removes all but the newest keep step folders.
func pruneCheckpoints(root string, keep int) error {
	names, err := stepCheckpoints(root)
	if err != nil {
		return err
	}
	for _, name := range names[min(keep, len(names)):] {
		if err := os.RemoveAll(filepath.Join(root, name)); err != nil {
			return err
		}
	}
	return nil
}

// loadResumeCheckpoint loads the checkpoint to resume from: checkpoints/latest, or when that is
// missing or damaged (unreadable, non-finite) the newest step folder that loads, saying so in the
// log. A damaged step folder is renamed to NAME.damaged, so it is neither tried again nor pruned
// unseen.
func (t *trainer) loadResumeCheckpoint() (policy.Policy, loopState, error) {
	root := t.path("checkpoints")
	latest := filepath.Join(root, latestName)
	target, _ := os.Readlink(latest)
	names, err := stepCheckpoints(root)
	if err != nil {
		return nil, loopState{}, err
	}
	candidates := []string{latestName}
	for _, name := range names {
		if name != target {
			candidates = append(candidates, name)
		}
	}
	var firstErr error
	for i, name := range candidates {
		dir := filepath.Join(root, name)
		pol, st, err := loadCheckpoint(dir, t.opt)
		if err == nil {
			if i == 0 {
				return pol, st, nil
			}
			t.logf("warning: resuming from the older checkpoint %s (after step %d)", dir, st.Step)
			return pol, st, pointLatest(root, name)
		}
		if i == 0 {
			firstErr = err
			if len(candidates) == 1 {
				break
			}
			if target != "" {
				dir = filepath.Join(root, target)
			}
		}
		t.logf("warning: checkpoint %s cannot be used: %v", dir, err)
		if _, ok := checkpointStep(filepath.Base(dir)); ok {
			if os.Rename(dir, dir+".damaged") == nil {
				t.logf("moved it to %s", dir+".damaged")
			}
		}
	}
	if len(candidates) > 1 {
		return nil, loopState{}, fmt.Errorf("%w (and no older checkpoint in %s loads)", firstErr, root)
	}
	return nil, loopState{}, firstErr
}
