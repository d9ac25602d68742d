package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/policy"
	"grit/rl"
)

// StepDir is the folder, beside report.html, that holds one rollout script per step.
const StepDir = "report"

var stepFileName = regexp.MustCompile(`^step-(\d+)\.arrow$`)

// stepScriptName is report/step-NNNNNN.js for a step.
func stepScriptName(step int) string { return fmt.Sprintf("step-%06d.js", step) }

// syncStepScripts writes runDir/report/step-N.js for every rollouts/step-N.arrow that has no script
// yet, and returns the steps that have one. It compares two directory listings (no stat per file)
// and decodes only the new steps, so calling it at every evaluation stays cheap on long runs. A
// resumed run rewrites its later steps: DropStepScripts removes their scripts first.
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
	var tok policy.Tokenizer
	tokLoaded := false
	for _, e := range entries {
		m := stepFileName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		step, _ := strconv.Atoi(m[1])
		name := stepScriptName(step)
		if have[name] {
			steps = append(steps, step)
			continue
		}
		if !tokLoaded {
			tok, tokLoaded = runTokenizer(runDir), true
		}
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return nil, err
		}
		if err := writeStepScript(filepath.Join(runDir, "rollouts", e.Name()), filepath.Join(outDir, name), tok); err != nil {
			return nil, err
		}
		steps = append(steps, step)
	}
	sort.Ints(steps)
	return steps, nil
}

// DropStepScripts removes the rollout scripts of steps >= from: a run resumed at step from writes
// those steps' rollouts again, and the next report converts them anew.
func DropStepScripts(runDir string, from int) error {
	entries, err := os.ReadDir(filepath.Join(runDir, StepDir))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		var step int
		if _, err := fmt.Sscanf(e.Name(), "step-%d.js", &step); err == nil && step >= from {
			if err := os.Remove(filepath.Join(runDir, StepDir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
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

// Step-script JSON. Short keys keep a 128-sample step at a few tens of kilobytes.
type stepJSON struct {
	Step       int               `json:"step"`
	Components []string          `json:"components"`
	Groups     []groupJSON       `json:"groups"`
	Pieces     map[string]string `json:"pieces"` // token id -> decoded text of that token alone
}

type groupJSON struct {
	Group    int          `json:"g"`
	PromptID string       `json:"id"`
	Prompt   string       `json:"prompt"`
	Accuracy float64      `json:"acc"`
	Samples  []sampleJSON `json:"samples"`
}

type sampleJSON struct {
	Index     int        `json:"i"`
	Reward    *float64   `json:"r"` // null when every component failed
	RewardEff float64    `json:"r_eff,omitempty"`
	Values    []*float64 `json:"cv"` // component values by Components order; null = failed or absent
	Errors    []string   `json:"ce"` // component errors ("" = none)
	Adv       float64    `json:"adv"`
	AdvEff    float64    `json:"adv_eff,omitempty"`
	Correct   bool       `json:"ok"`
	Truncated bool       `json:"trunc,omitempty"`
	Masked    bool       `json:"masked,omitempty"`
	Tokens    int        `json:"ntok"`
	ToolCalls int        `json:"tools,omitempty"`
	Turns     []turnJSON `json:"turns"`
}

type turnJSON struct {
	Observation string  `json:"obs,omitempty"` // what the env added before this turn (turns > 0)
	Text        string  `json:"text"`
	IDs         []int   `json:"ids"`
	Logp        []int32 `json:"lp"` // sampling log-probs in thousandths (round(1000 logp)): short and quick to encode
}

// writeStepScript decodes one Arrow step file and writes it as `gritStep({...});`.
func writeStepScript(src, dst string, tok policy.Tokenizer) error {
	rec, err := rl.ReadStepFile(memory.DefaultAllocator, src)
	if err != nil {
		return err
	}
	defer rec.Release()
	_, samples, err := rl.RecordSamples(rec)
	if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	data := stepData(samples, tok)
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Grow(len(raw) + 16)
	b.WriteString("gritStep(")
	b.Write(raw)
	b.WriteString(");\n")
	// Written in place (no temporary file and rename: a step costs fewer system calls); the page
	// that lists this step is written after it.
	return os.WriteFile(dst, b.Bytes(), 0o644)
}

// stepData groups a step's samples for the page.
func stepData(samples []rl.Sample, tok policy.Tokenizer) stepJSON {
	out := stepJSON{Pieces: map[string]string{}}
	compIndex := map[string]int{}
	for _, s := range samples {
		for _, c := range s.Components {
			if _, ok := compIndex[c.Name]; !ok {
				compIndex[c.Name] = len(out.Components)
				out.Components = append(out.Components, c.Name)
			}
		}
	}
	byGroup := map[int]int{}
	for _, s := range samples {
		out.Step = s.Step
		gi, ok := byGroup[s.Group]
		if !ok {
			gi = len(out.Groups)
			byGroup[s.Group] = gi
			out.Groups = append(out.Groups, groupJSON{Group: s.Group, PromptID: s.PromptID, Prompt: s.PromptText, Accuracy: s.GroupAccuracy})
		}
		sj := sampleJSON{
			Index: s.Index, RewardEff: s.RewardEff, Adv: s.Advantage, AdvEff: s.AdvantageEff,
			Correct: s.Correct, Truncated: s.Truncated, Masked: s.Masked, Tokens: s.NumTokens, ToolCalls: s.ToolCalls,
			Values: make([]*float64, len(out.Components)), Errors: make([]string, len(out.Components)),
		}
		if s.RewardOK && !math.IsNaN(s.Reward) && !math.IsInf(s.Reward, 0) {
			r := s.Reward
			sj.Reward = &r
		}
		for _, c := range s.Components {
			i := compIndex[c.Name]
			if c.OK {
				v := c.Value
				sj.Values[i] = &v
			} else {
				sj.Errors[i] = c.Err
			}
		}
		for k, tu := range s.Turns {
			tj := turnJSON{Text: tu.Text, IDs: tu.Tokens, Logp: make([]int32, len(tu.Logp))}
			if k > 0 {
				prev := s.Turns[k-1]
				if from := len(prev.Context) + len(prev.Tokens); from <= len(tu.Context) {
					tj.Observation = decode(tok, tu.Context[from:])
				}
			}
			for i, lp := range tu.Logp {
				tj.Logp[i] = int32(math.Round(float64(lp) * 1000))
			}
			for _, id := range tu.Tokens {
				key := strconv.Itoa(id)
				if _, ok := out.Pieces[key]; !ok {
					out.Pieces[key] = piece(tok, id)
				}
			}
			sj.Turns = append(sj.Turns, tj)
		}
		g := &out.Groups[gi]
		g.Samples = append(g.Samples, sj)
	}
	return out
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
