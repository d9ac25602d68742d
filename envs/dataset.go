package envs

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

// DatasetConfig sets where the dataset env reads its tasks.
type DatasetConfig struct {
	Path            string  // training file (.jsonl or .parquet)
	HeldOutPath     string  // held-out file; when empty, HeldOutFraction of Path is held out
	HeldOutFraction float64 // share of Path's distinct prompts held out when HeldOutPath is empty (0.1)
	SplitSeed       uint64  // salts the split hash
	Format          string  // auto (by extension), jsonl or parquet
	Columns         Columns // column names (prompt, answer, id, data_source, solution)
	Template        string  // prompt with {prompt} ("{prompt}")
	Extractor       string  // answer extraction rule ("auto")
	SkipBad         bool    // skip malformed rows (counted, see Skipped) instead of failing
}

// Dataset is the env over dataset files in the shape of Hugging Face math datasets: a prompt
// and a reference answer per row (GSM8K's "... #### 72" and MATH's \boxed{} solutions are
// reduced to the answer), verified with the rewards extractors and exact equivalence.
type Dataset struct {
	train, heldOut []Task
	skipped        []LoadIssue
	verify         rewards.Func
}

func newDataset(p Params) (Env, error) {
	a := plugins.NewArgs(p)
	cfg := DatasetConfig{
		Path:            a.String("path", ""),
		HeldOutPath:     a.String("held_out_path", ""),
		HeldOutFraction: a.Float("held_out_fraction", 0.1),
		SplitSeed:       uint64(a.Int("split_seed", 0)),
		Format:          a.String("format", "auto"),
		Columns: Columns{
			Prompt:     a.String("prompt_column", defaultColumns.Prompt),
			Answer:     a.String("answer_column", defaultColumns.Answer),
			ID:         a.String("id_column", defaultColumns.ID),
			DataSource: a.String("data_source_column", defaultColumns.DataSource),
			Solution:   a.String("solution_column", defaultColumns.Solution),
		},
		Template:  a.String("template", "{prompt}"),
		Extractor: a.String("extractor", "auto"),
	}
	switch onError := a.String("on_error", "skip"); onError {
	case "skip":
		cfg.SkipBad = true
	case "stop":
	default:
		a.Failf("on_error", "must be skip or stop, got %q", onError)
	}
	if cfg.Path == "" {
		a.Failf("path", "is required: the dataset file (.jsonl or .parquet)")
	}
	if cfg.HeldOutFraction < 0 || cfg.HeldOutFraction >= 1 {
		a.Failf("held_out_fraction", "must be in [0, 1), got %v", cfg.HeldOutFraction)
	}
	if err := a.Done(); err != nil {
		return nil, err
	}
	return NewDataset(cfg)
}

// NewDataset loads the files. With SkipBad, malformed rows are skipped and listed by Skipped;
// otherwise the first one is an error naming its file and line.
func NewDataset(cfg DatasetConfig) (*Dataset, error) {
	if !strings.Contains(cfg.Template, "{prompt}") {
		return nil, fmt.Errorf("template %q must contain {prompt}", cfg.Template)
	}
	verify, err := rewards.NewCorrectness("correct", cfg.Extractor)
	if err != nil {
		return nil, err
	}
	d := &Dataset{verify: verify}
	main, err := loadDataset(cfg.Path, cfg.Format, cfg.Columns, cfg.SkipBad)
	if err != nil {
		return nil, err
	}
	d.skipped = append(d.skipped, main.issues...)
	if cfg.HeldOutPath != "" {
		held, err := loadDataset(cfg.HeldOutPath, cfg.Format, cfg.Columns, cfg.SkipBad)
		if err != nil {
			return nil, err
		}
		d.skipped = append(d.skipped, held.issues...)
		d.heldOut = tasksOf(held.records, cfg.HeldOutPath, cfg.Template)
		// a prompt that is in the held-out file never trains
		heldPrompts := map[string]bool{}
		for _, t := range d.heldOut {
			heldPrompts[t.Prompt] = true
		}
		for _, t := range tasksOf(main.records, cfg.Path, cfg.Template) {
			if !heldPrompts[t.Prompt] {
				d.train = append(d.train, t)
			}
		}
	} else {
		for _, t := range tasksOf(main.records, cfg.Path, cfg.Template) {
			if InHeldOut(t.Prompt, cfg.HeldOutFraction, cfg.SplitSeed) {
				d.heldOut = append(d.heldOut, t)
			} else {
				d.train = append(d.train, t)
			}
		}
	}
	if len(d.train) == 0 {
		return nil, fmt.Errorf("%s has no usable training rows (%d skipped, %d held out)", cfg.Path, len(d.skipped), len(d.heldOut))
	}
	return d, nil
}

// tasksOf turns records into tasks. The ID is the id column or file:line.
func tasksOf(records []record, path, template string) []Task {
	tasks := make([]Task, len(records))
	for i, r := range records {
		id := r.id
		if id == "" {
			id = path + ":" + strconv.Itoa(r.line)
		}
		meta := map[string]string{}
		if r.dataSource != "" {
			meta["data_source"] = r.dataSource
		}
		tasks[i] = Task{
			ID:       id,
			Prompt:   strings.ReplaceAll(template, "{prompt}", r.prompt),
			Answer:   rewards.ReferenceAnswer(r.answer),
			Solution: r.solution,
			Meta:     meta,
		}
	}
	return tasks
}

// Skipped lists the malformed rows that were skipped, with file and line (empty, not nil, when
// none were: the env did read a dataset).
func (d *Dataset) Skipped() []LoadIssue {
	return append(make([]LoadIssue, 0, len(d.skipped)), d.skipped...)
}

// Name is "dataset".
func (d *Dataset) Name() string { return "dataset" }

// RewardComponents is the verifier's one component.
func (d *Dataset) RewardComponents() []string { return []string{d.verify.Name()} }

// Tasks is the dataset itself.
func (d *Dataset) Tasks() TaskSource { return d }

// Train draws n training rows: without replacement while n fits in the data, then in further
// shuffled passes.
func (d *Dataset) Train(n int, rng *rand.Rand) []Task {
	out := make([]Task, 0, max(n, 0))
	for len(out) < n {
		perm := rng.Perm(len(d.train))
		for _, i := range perm[:min(n-len(out), len(perm))] {
			out = append(out, d.train[i])
		}
	}
	return out
}

// HeldOut is the evaluation split (a copy).
func (d *Dataset) HeldOut() []Task { return append([]Task(nil), d.heldOut...) }

// MaxTurns is 1.
func (d *Dataset) MaxTurns() int { return 1 }

// Reset starts a single-turn episode graded by answer equivalence.
func (d *Dataset) Reset(task Task) (Episode, error) {
	return &singleTurn{task: task, grade: d.grade}, nil
}

func (d *Dataset) grade(task Task, completion string) rewards.Result {
	return rewards.GradeAll([]rewards.Func{d.verify}, inputFor(task, completion))
}
