package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// runData is what the page embeds for one run.
type runData struct {
	Name   string             `json:"name"`
	Dir    string             `json:"dir"`
	Config map[string]any     `json:"config"`
	Base   map[string]float64 `json:"base"`  // held-out eval of the starting policy (nil if unknown)
	Final  map[string]float64 `json:"final"` // of the final policy (nil until the run finished)
	// Steps are the training steps with a rollout script; null: every step of metrics.jsonl.
	Steps []int `json:"steps"`
	// StepURL is the folder, relative to the page (or an absolute URL path when served), that
	// holds step-NNNNNN.js.
	StepURL string `json:"step_url"`
	Chunk   int    `json:"chunk"` // steps per rollout script (ChunkSteps)
	// Note says why rollouts are missing (e.g. an sft run samples nothing).
	Note string `json:"note,omitempty"`
}

// loadRun reads what the page embeds from a run folder: config.yaml, and the base and final
// evaluations from summary.json (finished runs) or the checkpoint state (runs in progress). The
// metrics themselves stay beside the page, in report/metrics.js.
func loadRun(dir string) (*runData, error) {
	if _, err := os.Stat(filepath.Join(dir, "metrics.jsonl")); err != nil {
		return nil, fmt.Errorf("report: %s is not a run folder with metrics: %w", dir, err)
	}
	r := &runData{Name: filepath.Base(filepath.Clean(dir)), Dir: dir, Chunk: ChunkSteps}
	if raw, err := os.ReadFile(filepath.Join(dir, "config.yaml")); err == nil {
		if err := yaml.Unmarshal(raw, &r.Config); err != nil {
			return nil, fmt.Errorf("report: %s: %w", filepath.Join(dir, "config.yaml"), err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("report: %w", err)
	}
	var evals struct {
		Base  map[string]float64 `json:"base"`
		Final map[string]float64 `json:"final"`
	}
	for _, p := range []string{"summary.json", "checkpoints/latest/state.json", "checkpoints/best/state.json"} {
		raw, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			continue
		}
		if json.Unmarshal(raw, &evals) == nil && evals.Base != nil {
			break
		}
	}
	r.Base, r.Final = evals.Base, evals.Final
	return r, nil
}

// embedScriptText makes JSON text safe inside a <script> element: every "<" becomes the JSON
// escape \u003c, so neither "</script" nor "<!--" can occur. JSON has "<" only inside strings,
// where the escape reads back as the same character.
func embedScriptText(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("<"), []byte(`\u003c`))
}
