package chat

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// families are the checkpoints whose real templates testdata holds (tokenizer_config.json with
// only the template and the special tokens).
var families = []string{"smollm2", "qwen2.5", "qwen3", "llama3", "llama3.2", "listform"}

// conversations cover system+user, a bare user turn, multi-turn history (ending on a user or an
// assistant turn), a Qwen3 reasoning trace in the history, and text Llama's trim would change.
var conversations = map[string][]Message{
	"user":        {{Role: "user", Content: "What is 2+2?"}},
	"system_user": {{Role: "system", Content: "You are terse."}, {Role: "user", Content: "Name a prime."}},
	"multi_turn": {
		{Role: "system", Content: "Answer in one word."},
		{Role: "user", Content: "Capital of France?"},
		{Role: "assistant", Content: "Paris"},
		{Role: "user", Content: "And of Italy?"},
	},
	"ends_on_assistant": {
		{Role: "user", Content: "Say hi."},
		{Role: "assistant", Content: "Hi!"},
	},
	"thinking_history": {
		{Role: "user", Content: "1+1?"},
		{Role: "assistant", Content: "<think>\nadd them\n</think>\n\n2"},
		{Role: "user", Content: "2+2?"},
	},
	"whitespace_unicode": {{Role: "user", Content: "  café ∑ 😀\n\nline two  \n"}},
}

// parityCase is one render, in the form testdata/render.mjs reads.
type parityCase struct {
	Config              string    `json:"config"`
	Messages            []Message `json:"messages"`
	AddGenerationPrompt bool      `json:"add_generation_prompt"`
	EnableThinking      *bool     `json:"enable_thinking"`
	SystemPrompt        string    `json:"system_prompt"`
	Now                 string    `json:"now"`
	name                string
}

var fixedNow = time.Date(2025, time.March, 9, 15, 4, 5, 0, time.UTC)

func parityCases() []parityCase {
	yes, no := true, false
	var cases []parityCase
	for _, fam := range families {
		for conv, msgs := range conversations {
			for _, gen := range []bool{true, false} {
				for _, think := range []*bool{nil, &yes, &no} {
					c := parityCase{
						Config: filepath.Join("testdata", fam, TokenizerConfigFile), Messages: msgs,
						AddGenerationPrompt: gen, EnableThinking: think, Now: fixedNow.Format(time.RFC3339),
					}
					c.name = fam + "/" + conv + "/gen=" + map[bool]string{true: "1", false: "0"}[gen] + "/think=" + thinkName(think)
					cases = append(cases, c)
				}
			}
		}
		// the SystemPrompt option on a bare user turn
		cases = append(cases, parityCase{
			Config: filepath.Join("testdata", fam, TokenizerConfigFile), Messages: conversations["user"],
			AddGenerationPrompt: true, SystemPrompt: "Think step by step.", Now: fixedNow.Format(time.RFC3339),
			name: fam + "/system_prompt_option",
		})
	}
	return cases
}

func thinkName(b *bool) string {
	if b == nil {
		return "unset"
	}
	return map[bool]string{true: "on", false: "off"}[*b]
}

// TestParityWithHuggingFaceJinja renders every family's real template on every conversation with
// this package and with @huggingface/jinja (Node) and wants the same bytes. GRITDEV_JINJA_JS is the
// folder whose node_modules holds @huggingface/jinja (.ci/run installs it).
func TestParityWithHuggingFaceJinja(t *testing.T) {
	root := os.Getenv("GRITDEV_JINJA_JS")
	if root == "" {
		t.Skip("GRITDEV_JINJA_JS is not set: set it to a folder where `npm install @huggingface/jinja` ran (.ci/run does this) to compare renders with the JavaScript Jinja")
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@huggingface", "jinja")); err != nil {
		t.Skipf("GRITDEV_JINJA_JS=%s has no node_modules/@huggingface/jinja: %v", root, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the JavaScript reference cannot run")
	}
	cases := parityCases()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "render.mjs"), root)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LANG=en_US.UTF-8", "LC_ALL=en_US.UTF-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node testdata/render.mjs: %v\n%s", err, stderr.String())
	}
	var want []struct {
		Text  *string `json:"text"`
		Error string  `json:"error"`
	}
	if err := json.Unmarshal(out, &want); err != nil || len(want) != len(cases) {
		t.Fatalf("render.mjs output: %v (%d results for %d cases)", err, len(want), len(cases))
	}
	templates := map[string]*Template{}
	same := 0
	for i, c := range cases {
		dir := filepath.Dir(c.Config)
		if templates[dir] == nil {
			tmpl, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			templates[dir] = tmpl
		}
		got, err := templates[dir].Render(c.Messages, Options{
			AddGenerationPrompt: c.AddGenerationPrompt, EnableThinking: c.EnableThinking,
			SystemPrompt: c.SystemPrompt, Now: func() time.Time { return fixedNow },
		})
		switch {
		case want[i].Text == nil:
			t.Errorf("%s: the JavaScript reference failed: %s", c.name, want[i].Error)
		case err != nil:
			t.Errorf("%s: %v", c.name, err)
		case got != *want[i].Text:
			t.Errorf("%s: renders differ\n go: %q\n js: %q", c.name, got, *want[i].Text)
		default:
			same++
		}
	}
	t.Logf("%d of %d renders identical to @huggingface/jinja", same, len(cases))
}
