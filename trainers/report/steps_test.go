package report

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rewards"
	"grit/rl"
)

// letters is a tokenizer for tests: id i is the letter 'a'+i; 26 is EOS.
type letters struct{}

func (letters) Encode(s string) []int {
	var ids []int
	for _, r := range s {
		ids = append(ids, int(r-'a'))
	}
	return ids
}
func (letters) Decode(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		if id != 26 {
			b.WriteByte(byte('a' + id))
		}
	}
	return b.String()
}
func (letters) VocabSize() int { return 27 }
func (letters) BOS() int       { return 25 }
func (letters) EOS() int       { return 26 }
func (letters) PAD() int       { return 24 }

// A two-turn sample: the observation between the turns is the part of turn 1's context after turn
// 0's context and tokens; a failed component is null with its error; log-probs are kept in thousandths.
func TestStepDataTurnsObservationsAndErrors(t *testing.T) {
	tok := letters{}
	s := rl.Sample{
		Step: 7, PromptID: "p1", Group: 3, Index: 1, PromptText: "ab",
		Turns: []rl.Turn{
			{Context: []int{0, 1}, Tokens: []int{2, 3}, Logp: []float32{-0.12345, -2.5}, Text: "cd"},
			{Context: []int{0, 1, 2, 3, 17, 4}, Tokens: []int{5, 26}, Logp: []float32{-0.001, -0.0004}, Text: "f"},
		},
		Components: []rewards.Component{{Name: "correct", Value: 1, OK: true}, {Name: "judge", OK: false, Err: "timeout after 5s"}},
		Reward:     1, RewardOK: true, Correct: true, Advantage: 0.75, NumTokens: 4, ToolCalls: 1, GroupAccuracy: 0.5,
	}
	d := stepData([]rl.Sample{s}, tok)
	if d.Step != 7 || len(d.Groups) != 1 || d.Groups[0].Group != 3 || d.Groups[0].Prompt != "ab" || d.Groups[0].Accuracy != 0.5 {
		t.Fatalf("groups %+v", d.Groups)
	}
	got := d.Groups[0].Samples[0]
	if got.Turns[0].Observation != "" || got.Turns[1].Observation != "re" {
		t.Errorf("observations %q, %q; want \"\", \"re\"", got.Turns[0].Observation, got.Turns[1].Observation)
	}
	if got.Turns[0].Logp[0] != -123 || got.Turns[0].Logp[1] != -2500 || got.Turns[1].Logp[1] != 0 {
		t.Errorf("rounded log-probs %v %v", got.Turns[0].Logp, got.Turns[1].Logp)
	}
	if strings.Join(d.Components, ",") != "correct,judge" || got.Values[0] == nil || *got.Values[0] != 1 || got.Values[1] != nil || got.Errors[1] != "timeout after 5s" {
		t.Errorf("components %v values %v errors %q", d.Components, got.Values, got.Errors)
	}
	if d.Pieces["26"] != "⟨eos⟩" || d.Pieces["2"] != "c" {
		t.Errorf("pieces %v", d.Pieces)
	}
	if got.Reward == nil || *got.Reward != 1 || got.Adv != 0.75 || got.ToolCalls != 1 {
		t.Errorf("sample %+v", got)
	}
	s.RewardOK = false
	if d := stepData([]rl.Sample{s}, tok); d.Groups[0].Samples[0].Reward != nil {
		t.Error("a sample whose every component failed must have reward null, not 0")
	}
}

// Text that contains </script> cannot end the embedding script element early.
func TestEmbeddedTextCannotCloseScript(t *testing.T) {
	raw, _ := json.Marshal(map[string]string{"k": "</script><script>alert(1)</script><!--"})
	safe := embedScriptText(raw)
	if strings.Contains(string(safe), "<") {
		t.Fatalf("%s still holds '<'", safe)
	}
	var back map[string]string
	if err := json.Unmarshal(safe, &back); err != nil || back["k"] != "</script><script>alert(1)</script><!--" {
		t.Fatalf("round trip: %v %q", err, back["k"])
	}
}

func TestHandlerServesPageAndStepScripts(t *testing.T) {
	dir := fakeRun(t, 5, 5)
	os.MkdirAll(filepath.Join(dir, StepDir), 0o755)
	os.WriteFile(filepath.Join(dir, StepDir, "step-000004.js"), []byte("gritStep({})"), 0o644)
	h, err := Handler([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for path, want := range map[string]string{"/": `"step_url":"/run/0/"`, "/run/0/step-000004.js": "gritStep({})"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

func TestLoadRunNamesMissingMetrics(t *testing.T) {
	err := WriteRun(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "metrics.jsonl") {
		t.Fatalf("error %v, want one naming metrics.jsonl", err)
	}
}

func writeStep(t *testing.T, dir string, step int, text string) {
	t.Helper()
	s := rl.Sample{Step: step, PromptID: "p", PromptText: "ab", Reward: 1, RewardOK: true,
		Components: []rewards.Component{{Name: "correct", Value: 1, OK: true}},
		Turns:      []rl.Turn{{Context: []int{0, 1}, Tokens: letters{}.Encode(text), Logp: make([]float32, len(text)), Text: text}}}
	rec, err := rl.StepRecord(memory.DefaultAllocator, "run", []rl.Sample{s})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if err := rl.WriteStepFile(rl.StepFilePath(dir, step), rec); err != nil {
		t.Fatal(err)
	}
}

// Only new steps are converted; after DropStepScripts (a resume) the dropped steps are converted
// again from their rewritten Arrow files, the others are kept.
func TestStepScriptsAreIncrementalAndDroppedOnResume(t *testing.T) {
	dir := fakeRun(t, 3, 3)
	for s := range 3 {
		writeStep(t, dir, s, "old")
	}
	steps, err := syncStepScripts(dir)
	if err != nil || !reflect.DeepEqual(steps, []int{0, 1, 2}) {
		t.Fatalf("steps %v, %v", steps, err)
	}
	script := func(s int) string {
		b, _ := os.ReadFile(filepath.Join(dir, StepDir, stepScriptName(s)))
		return string(b)
	}
	writeStep(t, dir, 2, "new") // without a drop, an existing script is kept
	syncStepScripts(dir)
	if !strings.Contains(script(2), `"text":"old"`) {
		t.Fatal("a step script was rewritten without DropStepScripts")
	}
	if err := DropStepScripts(dir, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := syncStepScripts(dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script(2), `"text":"new"`) || !strings.Contains(script(1), `"text":"old"`) {
		t.Errorf("after dropping step 2: step 1 %q..., step 2 %q...", script(1)[:40], script(2)[:40])
	}
	if !strings.HasPrefix(script(0), "gritStep({") || !strings.HasSuffix(script(0), "});\n") {
		t.Errorf("a step script calls gritStep: %q", script(0))
	}
}
