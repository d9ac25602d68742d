package distrib

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"grit/policy"
	"grit/trainers"
)

// loadedPolicy is what a worker's policy was last loaded from: the files of its version other
// than the weights, and the weights file's layout when the file is a plain layout of the
// policy's parameters (weightslayout.go). A later version of the same run whose other files are
// the same bytes and whose weights file has the same header is loaded by writing the new values
// into the parameters: no cache files, no policy.LoadPolicy, the player and its env kept.
type loadedPolicy struct {
	pol    policy.Policy
	other  map[string][]byte
	layout *weightsLayout // nil: load every version in full
}

// update loads bundle b into the policy in place; ok is false when b cannot be loaded that way.
func (lp *loadedPolicy) update(b *policyBundle) (ok bool, err error) {
	if lp.layout == nil || len(b.Files) != len(lp.other)+1 {
		return false, nil
	}
	for _, f := range b.Files {
		if f.Name == policy.WeightsFile {
			continue
		}
		if have, found := lp.other[f.Name]; !found || !bytes.Equal(have, b.data[f.Name]) {
			return false, nil
		}
	}
	weights, found := b.data[policy.WeightsFile]
	if !found {
		return false, nil
	}
	if err := lp.layout.decodeInto(weights, lp.pol.Params()); err != nil {
		if err == errLayoutChanged {
			return false, nil
		}
		return false, fmt.Errorf("policy version %d: %w", b.Version, err)
	}
	return true, nil
}

// remember records pol as loaded in full from b.
func (lp *loadedPolicy) remember(b *policyBundle, pol policy.Policy) {
	*lp = loadedPolicy{pol: pol, other: map[string][]byte{}}
	for _, f := range b.Files {
		if f.Name != policy.WeightsFile {
			lp.other[f.Name] = bytes.Clone(b.data[f.Name])
		}
	}
	weights, found := b.data[policy.WeightsFile]
	if !found {
		return
	}
	layout, err := readLayout(bytes.NewReader(weights), pol.Params())
	if err != nil {
		return
	}
	if same, err := layout.matches(bytes.NewReader(weights), pol.Params()); err == nil && same {
		lp.layout = layout
	}
}

// usePolicy makes the player sample with policy version v, downloading it when new: into the
// policy it holds when only the weights changed (loadedPolicy), else in full into the cache folder.
func (w *worker) usePolicy(ctx context.Context, v int) error {
	if w.version == v {
		return nil
	}
	var b *policyBundle
	var err error
	if w.pre != nil {
		b, err = w.pre.get(ctx, v)
	} else {
		b, err = downloadVersion(ctx, w.obj, v)
	}
	if err != nil {
		return err
	}
	if w.player != nil && b.Config == w.cfgText {
		ok, err := w.loaded.update(b)
		if err != nil {
			return err
		}
		if ok {
			w.version = v
			return nil
		}
	}
	pol, cfg, cfgText, err := b.load(w.opts.CacheDir)
	if err != nil {
		return err
	}
	if w.loadedDir >= 0 { // only the newest version loaded in full is kept
		_ = os.RemoveAll(w.versionPath(w.loadedDir))
	}
	w.loadedDir = v
	if w.player != nil && cfgText != w.cfgText { // a new run on this server: rebuild its env
		w.player.Close()
		w.player = nil
	}
	if w.player == nil {
		if w.player, err = trainers.NewGroupPlayer(cfg, pol); err != nil {
			return fmt.Errorf("building the run's env: %w", err)
		}
		w.cfgText = cfgText
		if params := policy.CountParams(pol); trainers.TuneGCForPolicy(params) {
			fmt.Fprintf(w.opts.Log, "worker %s: garbage collection at %d%% heap growth for a %d-parameter policy (set GOGC to choose another)\n",
				w.opts.ID, trainers.LargeModelGCPercent, params)
		}
	} else {
		w.player.SetPolicy(pol)
	}
	w.loaded.remember(b, pol)
	w.version = v
	return nil
}

func (w *worker) versionPath(v int) string {
	return w.opts.CacheDir + string(os.PathSeparator) + versionDir(v)
}
