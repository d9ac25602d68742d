package report

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/policy"
	"grit/rl"
	"grit/rl/store"
)

// StepDir is the folder, beside report.html, that holds the rollout scripts.
const StepDir = "report"

// ChunkSteps is how many consecutive steps one rollout script holds: steps-000000.js has steps
// 0-9, steps-000010.js steps 10-19, ... One file per ten steps keeps the folder small, and a
// training run appends each step to the open file of its chunk (a write, no file creation per step).
const ChunkSteps = 10

var stepFileName = regexp.MustCompile(`^step-(\d+)\.arrow$`)

// chunkName is the script that holds step.
func chunkName(step int) string { return fmt.Sprintf("steps-%06d.js", step/ChunkSteps*ChunkSteps) }

// StepWriter appends each training step's rollouts, as `gritStep({...});`, to the script of its
// chunk. Use one per run; Close it at the end.
type StepWriter struct {
	dir   string
	f     *os.File
	chunk string
}

// NewStepWriter writes into runDir/report/.
func NewStepWriter(runDir string) *StepWriter {
	return &StepWriter{dir: filepath.Join(runDir, StepDir)}
}

// Write appends the step of samples (all of one step) to its chunk. A chunk is started afresh at
// its first step; a run resumed inside a chunk appends, and a step written twice is read back as
// its later version (the page keeps the last gritStep call for a step).
func (w *StepWriter) Write(samples []rl.Sample, tok policy.Tokenizer) error {
	if len(samples) == 0 {
		return nil
	}
	step := samples[0].Step
	if name := chunkName(step); name != w.chunk || w.f == nil {
		if err := w.Close(); err != nil {
			return err
		}
		if err := os.MkdirAll(w.dir, 0o755); err != nil {
			return err
		}
		flags := os.O_CREATE | os.O_WRONLY | os.O_APPEND
		if step%ChunkSteps == 0 {
			flags |= os.O_TRUNC
		}
		f, err := os.OpenFile(filepath.Join(w.dir, name), flags, 0o644)
		if err != nil {
			return err
		}
		w.f, w.chunk = f, name
	}
	_, err := w.f.Write(encodeStep(samples, tok))
	return err
}

// Close closes the open chunk, if any.
func (w *StepWriter) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f, w.chunk = nil, ""
	return err
}

// syncStepScripts writes the chunk scripts that do not exist yet from rollouts/step-N.arrow (for
// `train view`: a training run writes them as it goes, StepWriter) and returns the steps whose
// chunk exists. It compares two directory listings and decodes only the new chunks.
func syncStepScripts(runDir string) ([]int, error) {
	entries, err := os.ReadDir(filepath.Join(runDir, "rollouts"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	outDir := filepath.Join(runDir, StepDir)
	have := map[string]bool{}
	if done, err := os.ReadDir(outDir); err == nil {
		for _, e := range done {
			have[e.Name()] = true
		}
	}
	var steps []int
	missing := map[string][]int{} // chunk -> its steps with an Arrow file
	for _, e := range entries {
		m := stepFileName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		step, _ := strconv.Atoi(m[1])
		steps = append(steps, step)
		if name := chunkName(step); !have[name] {
			missing[name] = append(missing[name], step)
		}
	}
	if len(missing) > 0 {
		tok := runTokenizer(runDir)
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return nil, err
		}
		for name, chunk := range missing {
			if err := writeChunk(runDir, filepath.Join(outDir, name), chunk, tok); err != nil {
				return nil, err
			}
		}
	}
	sort.Ints(steps)
	return steps, nil
}

// writeChunk decodes the Arrow files of steps and writes them, in step order, as one script.
func writeChunk(runDir, dst string, steps []int, tok policy.Tokenizer) error {
	sort.Ints(steps)
	var out []byte
	for _, step := range steps {
		src := store.StepFilePath(runDir, step)
		rec, err := store.ReadStepFile(memory.DefaultAllocator, src)
		if err != nil {
			return err
		}
		_, samples, err := store.RecordSamples(rec)
		rec.Release()
		if err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		out = append(out, encodeStep(samples, tok)...)
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// runTokenizer loads the run's tokenizer (any checkpoint has it; a run in progress may have only
// best/); nil when none is found, and the page then shows token ids.
func runTokenizer(runDir string) policy.Tokenizer {
	for _, c := range []string{"latest", "best"} {
		if tok, err := policy.LoadTokenizerDir(filepath.Join(runDir, "checkpoints", c)); err == nil {
			return tok
		}
	}
	return nil
}

func decode(tok policy.Tokenizer, ids []int) string {
	if tok == nil {
		return fmt.Sprint(ids)
	}
	return tok.Decode(ids)
}

// piece is the text of one token; special tokens get a visible name.
func piece(tok policy.Tokenizer, id int) string {
	switch {
	case tok == nil:
		return fmt.Sprintf("⟨%d⟩", id)
	case id == tok.EOS():
		return "⟨eos⟩"
	case id == tok.BOS():
		return "⟨bos⟩"
	case id == tok.PAD():
		return "⟨pad⟩"
	}
	return tok.Decode([]int{id})
}
