package report

import (
	"encoding/json"
	"io"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"grit/rewards"
	"grit/rl"
	"grit/rl/store"
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

// The step script's JSON, decoded with encoding/json (an independent check of the hand-written
// encoder).
type stepJSON struct {
	Step       int               `json:"step"`
	Components []string          `json:"components"`
	Pieces     map[string]string `json:"pieces"`
	Groups     []struct {
		Group    int     `json:"g"`
		PromptID string  `json:"id"`
		Prompt   string  `json:"prompt"`
		Accuracy float64 `json:"acc"`
		Samples  []struct {
			Index     int        `json:"i"`
			Reward    *float64   `json:"r"`
			Values    []*float64 `json:"cv"`
			Errors    []string   `json:"ce"`
			Adv       float64    `json:"adv"`
			Correct   bool       `json:"ok"`
			ToolCalls int        `json:"tools"`
			Turns     []struct {
				Observation string `json:"obs"`
				Text        string `json:"text"`
				IDs         []int  `json:"ids"`
				Logp        []int  `json:"lp"`
			} `json:"turns"`
		} `json:"samples"`
	} `json:"groups"`
}

func decodeStepScript(t *testing.T, script []byte) stepJSON {
	t.Helper()
	body, ok := strings.CutPrefix(string(script), "gritStep(")
	body, ok2 := strings.CutSuffix(body, ");\n")
	if !ok || !ok2 {
		t.Fatalf("not a gritStep(...) call: %.60q", script)
	}
	var d stepJSON
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("step script is not JSON: %v\n%s", err, body)
	}
	return d
}

// A two-turn sample: the observation between the turns is the part of turn 1's context after turn
// 0's context and tokens; a failed component is null with its error; log-probs are kept in
// thousandths; strings with quotes, backslashes and control characters survive.
func TestStepScriptTurnsObservationsAndErrors(t *testing.T) {
	tok := letters{}
	s := rl.Sample{
		Step: 7, PromptID: "p\"1", Group: 3, Index: 1, PromptText: "a\\b\n\x01é",
		Turns: []rl.TurnTokens{
			{Context: []int{0, 1}, Tokens: []int{2, 3}, Logp: []float32{-0.12345, -2.5}, Text: "cd"},
			{Context: []int{0, 1, 2, 3, 17, 4}, Tokens: []int{5, 26}, Logp: []float32{-0.001, -0.0004}, Text: "f"},
		},
		Components: []rewards.Component{{Name: "correct", Value: 1, OK: true}, {Name: "judge", OK: false, Err: "timeout \"5s\""}},
		Reward:     1, RewardOK: true, Correct: true, Advantage: 0.75, NumTokens: 4, ToolCalls: 1, GroupAccuracy: 0.5,
	}
	d := decodeStepScript(t, encodeStep([]rl.Sample{s}, tok))
	if d.Step != 7 || len(d.Groups) != 1 || d.Groups[0].Group != 3 || d.Groups[0].PromptID != "p\"1" || d.Groups[0].Prompt != "a\\b\n\x01é" || d.Groups[0].Accuracy != 0.5 {
		t.Fatalf("groups %+v", d.Groups)
	}
	got := d.Groups[0].Samples[0]
	if got.Turns[0].Observation != "" || got.Turns[1].Observation != "re" {
		t.Errorf("observations %q, %q; want \"\", \"re\"", got.Turns[0].Observation, got.Turns[1].Observation)
	}
	if !reflect.DeepEqual(got.Turns[0].Logp, []int{-123, -2500}) || !reflect.DeepEqual(got.Turns[1].Logp, []int{-1, 0}) {
		t.Errorf("log-probs in thousandths %v %v", got.Turns[0].Logp, got.Turns[1].Logp)
	}
	if strings.Join(d.Components, ",") != "correct,judge" || got.Values[0] == nil || *got.Values[0] != 1 || got.Values[1] != nil || got.Errors[1] != "timeout \"5s\"" {
		t.Errorf("components %v values %v errors %q", d.Components, got.Values, got.Errors)
	}
	if d.Pieces["26"] != "⟨eos⟩" || d.Pieces["2"] != "c" || len(d.Pieces) != 4 {
		t.Errorf("pieces %v", d.Pieces)
	}
	if got.Reward == nil || *got.Reward != 1 || got.Adv != 0.75 || got.ToolCalls != 1 || !got.Correct {
		t.Errorf("sample %+v", got)
	}
	s.RewardOK = false
	s.Advantage = math.NaN()
	d = decodeStepScript(t, encodeStep([]rl.Sample{s}, tok))
	if d.Groups[0].Samples[0].Reward != nil {
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
	os.WriteFile(filepath.Join(dir, StepDir, "steps-000000.js"), []byte("gritStep({})"), 0o644)
	h, err := Handler([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for path, want := range map[string]string{"/": `"step_url":"/run/0/"`, "/run/0/steps-000000.js": "gritStep({})"} {
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
		Turns:      []rl.TurnTokens{{Context: []int{0, 1}, Tokens: letters{}.Encode(text), Logp: make([]float32, len(text)), Text: text}}}
	rec, err := store.StepRecord(memory.DefaultAllocator, "run", []rl.Sample{s})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	if err := store.WriteStepFile(store.StepFilePath(dir, step), rec); err != nil {
		t.Fatal(err)
	}
}

// train view converts only chunks without a script; an existing one is kept.
func TestChunkScriptsAreIncremental(t *testing.T) {
	dir := fakeRun(t, 12, 3)
	for s := range 12 {
		writeStep(t, dir, s, "old")
	}
	steps, err := syncStepScripts(dir)
	if err != nil || len(steps) != 12 || steps[11] != 11 {
		t.Fatalf("steps %v, %v", steps, err)
	}
	chunk := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, StepDir, name))
		return string(b)
	}
	if n := strings.Count(chunk("steps-000000.js"), "gritStep("); n != 10 {
		t.Errorf("steps-000000.js holds %d steps, want 10", n)
	}
	if n := strings.Count(chunk("steps-000010.js"), "gritStep("); n != 2 {
		t.Errorf("steps-000010.js holds %d steps, want 2", n)
	}
	writeStep(t, dir, 2, "new")
	syncStepScripts(dir)
	if strings.Contains(chunk("steps-000000.js"), `"text":"new"`) {
		t.Fatal("an existing chunk was converted again")
	}
	os.Remove(filepath.Join(dir, StepDir, "steps-000000.js"))
	syncStepScripts(dir)
	if !strings.Contains(chunk("steps-000000.js"), `"text":"new"`) {
		t.Fatal("a missing chunk was not converted")
	}
}

// The trainer's StepWriter appends steps to their chunk, starts a chunk afresh at its first step,
// and appends when resumed inside a chunk (the page keeps a step's last version).
func TestStepWriterChunks(t *testing.T) {
	dir := t.TempDir()
	step := func(s int, text string) []rl.Sample {
		return []rl.Sample{{Step: s, Turns: []rl.TurnTokens{{Text: text}}}}
	}
	w := NewStepWriter(dir)
	for s := range 13 {
		if err := w.Write(step(s, "a"), nil); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(dir, StepDir, name))
		return string(b)
	}
	if strings.Count(read("steps-000000.js"), "gritStep(") != 10 || strings.Count(read("steps-000010.js"), "gritStep(") != 3 {
		t.Fatalf("chunks hold %d and %d steps, want 10 and 3",
			strings.Count(read("steps-000000.js"), "gritStep("), strings.Count(read("steps-000010.js"), "gritStep("))
	}
	w = NewStepWriter(dir) // resumed at step 12: appends; then a new chunk 20 starts afresh
	w.Write(step(12, "b"), nil)
	w.Write(step(20, "c"), nil)
	w.Close()
	if c := read("steps-000010.js"); strings.Count(c, "gritStep(") != 4 || !strings.HasSuffix(c, `"text":"b","ids":[],"lp":[]}]}]}],"pieces":{}});`+"\n") {
		t.Errorf("resumed chunk: %q", c)
	}
	w = NewStepWriter(dir) // a rerun from step 10 truncates that chunk
	w.Write(step(10, "d"), nil)
	w.Close()
	if c := read("steps-000010.js"); strings.Count(c, "gritStep(") != 1 {
		t.Errorf("chunk restarted at its first step holds %d steps", strings.Count(c, "gritStep("))
	}
	d := decodeStepScript(t, []byte(read("steps-000020.js")))
	if d.Step != 20 || d.Groups[0].Samples[0].Turns[0].Text != "c" {
		t.Errorf("step 20 decoded as %+v", d)
	}
}

// A run folder written before rollout schema version 2 (step files without policy_version) still
// gets its step scripts: the fixture is a schema version 1 step file of rl/store's tests.
func TestStepScriptsFromSchemaV1Files(t *testing.T) {
	dir := fakeRun(t, 2, 3)
	data, err := os.ReadFile(filepath.Join("..", "..", "rl", "store", "testdata", "step-v1.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "rollouts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(store.StepFilePath(dir, 2), data, 0o644); err != nil {
		t.Fatal(err)
	}
	steps, err := syncStepScripts(dir)
	if err != nil || len(steps) != 1 || steps[0] != 2 {
		t.Fatalf("steps %v, %v; want [2]", steps, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, StepDir, "steps-000000.js"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "gritStep("); n != 1 || !strings.Contains(string(b), "parser timeout") {
		t.Errorf("the v1 step's script holds %d steps and lacks its component error: %.300s", n, b)
	}
}
