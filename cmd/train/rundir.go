package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"grit/trainers"
	"grit/trainers/configfile"
)

// maxRunSuffix bounds the -2, -3, ... suffixes tried for a default run folder name.
const maxRunSuffix = 1000

// claimDefaultRunDir creates a new run folder named base, or base-2, base-3, ... when runs started
// in the same second took the earlier names, and writes cfg's config.yaml into it. os.Mkdir of the
// final component is the claim: exactly one process creates a given folder.
func claimDefaultRunDir(base string, cfg trainers.Config) (string, error) {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return "", fmt.Errorf("create run folder: %w", err)
	}
	for i := 1; i <= maxRunSuffix; i++ {
		dir := base
		if i > 1 {
			dir = fmt.Sprintf("%s-%d", base, i)
		}
		err := os.Mkdir(dir, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("create run folder: %w", err)
		}
		return dir, configfile.WriteResolved(dir, cfg)
	}
	return "", fmt.Errorf("%s-2 ... -%d all exist; give a run folder with --out", base, maxRunSuffix)
}

// claimRunDir makes dir (an explicit --out) this run's folder: a new folder, or an existing empty
// one. A folder that holds a run, or files grit did not write, is refused (exit 2) and left as it
// is. config.yaml is written exclusively, so of two runs started on one empty folder only one
// gets it.
func claimRunDir(dir string, cfg trainers.Config) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("create run folder: %w", err)
	}
	err := os.Mkdir(dir, 0o755)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create run folder: %w", err)
	}
	if err != nil { // it exists: usable only when it is an empty folder
		if err := checkEmptyRunDir(dir); err != nil {
			return err
		}
	}
	err = configfile.WriteResolved(dir, cfg)
	if errors.Is(err, fs.ErrExist) {
		return heldRunError(dir)
	}
	return err
}

// checkEmptyRunDir accepts an existing empty folder and explains why anything else is refused.
func checkEmptyRunDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	if !st.IsDir() {
		return configErrorf("--out %s is a file, not a folder; choose a new folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("run folder: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	for _, e := range entries {
		if e.Name() == configfile.ResolvedName || configfile.IsResolvedTemp(e.Name()) {
			return heldRunError(dir)
		}
	}
	names := make([]string, 0, 3)
	for _, e := range entries[:min(3, len(entries))] {
		names = append(names, e.Name())
	}
	if len(entries) > 3 {
		names = append(names, "...")
	}
	return configErrorf("--out %s is not empty and holds no run (%s; no %s): grit will not write over files it did not write; choose a new or empty folder",
		dir, strings.Join(names, ", "), configfile.ResolvedName)
}

func heldRunError(dir string) error {
	return configErrorf("%s already holds a run; continue it with `train --resume %s` or choose another --out", dir, dir)
}
