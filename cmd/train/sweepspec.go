package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"grit/trainers"
	"grit/trainers/configfile"
)

// sweepFlags are `train sweep`'s flags.
type sweepFlags struct {
	config, out string
	sets, vary  []string
	seeds, jobs int
}

// varyAxis is one --vary key=v1,v2,...: the values are given to the config like --set values.
type varyAxis struct {
	key    string
	values []string
}

// variant is one point of the --vary grid: its --set overrides, its folder name and its config
// (with the base seed; run i uses seed+i).
type variant struct {
	Name     string            `yaml:"name" json:"name"`
	Settings map[string]string `yaml:"settings" json:"settings"`
	sets     []string
	cfg      trainers.Config
}

// sweepRecord is DIR/sweep.yaml: what a rerun of the same command must find again.
type sweepRecord struct {
	Seeds    []uint64        `yaml:"seeds"`
	Variants []variantRecord `yaml:"variants"`
}

type variantRecord struct {
	Name     string            `yaml:"name"`
	Settings map[string]string `yaml:"settings,omitempty"`
	Config   map[string]any    `yaml:"config"` // the resolved config of the variant (base seed)
}

const sweepRecordName = "sweep.yaml"

// parseVary reads the --vary flags; keys must be distinct, values non-empty.
func parseVary(flags []string) ([]varyAxis, error) {
	var axes []varyAxis
	for _, f := range flags {
		key, list, ok := strings.Cut(f, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || list == "" {
			return nil, configErrorf("--vary %s: expected key=v1,v2,... (e.g. --vary algo=grpo,nft)", f)
		}
		if key == "seed" {
			return nil, configErrorf("--vary %s: seeds are set by --seeds N (runs use seed, seed+1, ...); set the first with --set seed=S", f)
		}
		if slices.ContainsFunc(axes, func(a varyAxis) bool { return a.key == key }) {
			return nil, configErrorf("--vary %s: key %s is varied twice; list all its values in one --vary", f, key)
		}
		values := strings.Split(list, ",")
		for i, v := range values {
			values[i] = strings.TrimSpace(v)
			if values[i] == "" {
				return nil, configErrorf("--vary %s: empty value; expected key=v1,v2,...", f)
			}
		}
		axes = append(axes, varyAxis{key, values})
	}
	return axes, nil
}

// expandVariants is the cartesian product of the axes, the first axis varying slowest. Each
// variant's config is loaded like `train --config FILE --set ...` with the --vary values last.
func (a *app) expandVariants(f sweepFlags, axes []varyAxis) ([]variant, error) {
	combos := [][]string{nil}
	for _, ax := range axes {
		var next [][]string
		for _, c := range combos {
			for _, v := range ax.values {
				next = append(next, append(slices.Clone(c), ax.key+"="+v))
			}
		}
		combos = next
	}
	var out []variant
	names := map[string]bool{}
	for _, c := range combos {
		v := variant{Name: variantName(c), Settings: map[string]string{}}
		for _, s := range c {
			k, val, _ := strings.Cut(s, "=")
			v.Settings[k] = val
		}
		v.sets = append(slices.Clone(f.sets), c...)
		cfg, err := configfile.Load(f.config, v.sets, a.environ)
		if err != nil {
			return nil, configError{varyError(err, c)}
		}
		if err := checkEnv(cfg.Env); err != nil {
			return nil, err
		}
		if err := a.prepare(cfg); err != nil {
			return nil, err
		}
		if names[v.Name] {
			return nil, configErrorf("--vary values %s give the folder name %s twice; use values that differ in letters or digits", strings.Join(c, " "), v.Name)
		}
		names[v.Name] = true
		v.cfg = cfg
		out = append(out, v)
	}
	return out, nil
}

// varyError names the --vary flag where the config loader, which reads --vary values as --set
// values, names "--set key=value".
func varyError(err error, sets []string) error {
	msg := err.Error()
	for _, s := range sets {
		msg = strings.ReplaceAll(msg, "--set "+s+":", "--vary "+s+":")
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// variantName is a folder name for one grid point: "default" without --vary, else
// key-value joined by "_", characters other than letters, digits, '.', '-' replaced by '_'.
func variantName(sets []string) string {
	if len(sets) == 0 {
		return "default"
	}
	parts := make([]string, len(sets))
	for i, s := range sets {
		k, v, _ := strings.Cut(s, "=")
		parts[i] = k + "-" + v
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-':
			return r
		}
		return '_'
	}, strings.Join(parts, "_"))
}

// sweepSeeds are the seeds of the runs: the config's seed, seed+1, ..., seed+n-1.
func sweepSeeds(base uint64, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = base + uint64(i)
	}
	return out
}

// recordOf is the sweep.yaml of these variants and seeds. threads is left out: it changes speed,
// not results, and the sweep sets it itself.
func recordOf(variants []variant, seeds []uint64) (sweepRecord, error) {
	rec := sweepRecord{Seeds: seeds}
	for _, v := range variants {
		cfg := v.cfg
		cfg.Threads = 0
		b, err := configfile.Dump(cfg)
		if err != nil {
			return rec, err
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			return rec, fmt.Errorf("sweep record: %w", err)
		}
		rec.Variants = append(rec.Variants, variantRecord{Name: v.Name, Settings: v.Settings, Config: m})
	}
	return rec, nil
}

// checkOrWriteRecord writes DIR/sweep.yaml for a new sweep; for an existing one it requires the
// same seeds, variants and configs, and names the first difference.
func checkOrWriteRecord(dir string, rec sweepRecord) error {
	path := filepath.Join(dir, sweepRecordName)
	want, err := yaml.Marshal(rec)
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
			return configErrorf("--out %s is not empty and holds no sweep (no %s): grit will not write over files it did not write; choose a new or empty folder", dir, sweepRecordName)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create sweep folder: %w", err)
		}
		return os.WriteFile(path, want, 0o644)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var prev sweepRecord
	if err := yaml.Unmarshal(old, &prev); err != nil {
		return configErrorf("%s: %v; is --out a sweep folder?", path, err)
	}
	// Round-trip the new record so both sides have YAML's types.
	var cur sweepRecord
	if err := yaml.Unmarshal(want, &cur); err != nil {
		return err
	}
	if diff := recordDiff(prev, cur); diff != "" {
		return configErrorf("%s holds a different sweep: %s; rerun with the same settings to continue it, or choose a new --out", dir, diff)
	}
	return nil
}

// recordDiff describes the first difference between two sweep records ("" when equal).
func recordDiff(prev, cur sweepRecord) string {
	if !slices.Equal(prev.Seeds, cur.Seeds) {
		return fmt.Sprintf("seeds were %v, now %v", prev.Seeds, cur.Seeds)
	}
	names := func(r sweepRecord) []string {
		var out []string
		for _, v := range r.Variants {
			out = append(out, v.Name)
		}
		return out
	}
	if !slices.Equal(names(prev), names(cur)) {
		return fmt.Sprintf("variants were %v, now %v", names(prev), names(cur))
	}
	for i := range prev.Variants {
		a, b := flatten("", prev.Variants[i].Config), flatten("", cur.Variants[i].Config)
		keys := map[string]bool{}
		for k := range a {
			keys[k] = true
		}
		for k := range b {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			va, oka := a[k]
			vb, okb := b[k]
			if oka != okb || va != vb {
				return fmt.Sprintf("variant %s: %s was %s, now %s", prev.Variants[i].Name, k, show(va, oka), show(vb, okb))
			}
		}
	}
	return ""
}

func show(v string, ok bool) string {
	if !ok {
		return "unset"
	}
	return v
}

// flatten turns nested mappings into dotted keys with printed values.
func flatten(prefix string, m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			for kk, vv := range flatten(key, sub) {
				out[kk] = vv
			}
			continue
		}
		out[key] = fmt.Sprint(v)
	}
	return out
}
