package chat

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pinned() time.Time { return fixedNow } // 2025-03-09 15:04:05 UTC, a Sunday

func mustLoad(t *testing.T, family string) *Template {
	t.Helper()
	tmpl, err := Load(filepath.Join("testdata", family))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// TestFamiliesHandWritten holds each family's prompt format, written out by hand from the
// family's documented layout (not produced by running the code).
func TestFamiliesHandWritten(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		family, conv string
		opts         Options
		want         string
	}{
		{"smollm2", "user", Options{AddGenerationPrompt: true},
			"<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
				"<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"},
		{"smollm2", "system_user", Options{},
			"<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nName a prime.<|im_end|>\n"},
		{"smollm2", "user", Options{AddGenerationPrompt: true, SystemPrompt: "Be brief."},
			"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"},
		{"qwen2.5", "user", Options{},
			"<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
				"<|im_start|>user\nWhat is 2+2?<|im_end|>\n"},
		{"qwen2.5", "multi_turn", Options{AddGenerationPrompt: true},
			"<|im_start|>system\nAnswer in one word.<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n" +
				"<|im_start|>assistant\nParis<|im_end|>\n<|im_start|>user\nAnd of Italy?<|im_end|>\n<|im_start|>assistant\n"},
		{"qwen3", "user", Options{AddGenerationPrompt: true},
			"<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"},
		{"qwen3", "user", Options{AddGenerationPrompt: true, EnableThinking: &yes},
			"<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"},
		{"qwen3", "user", Options{AddGenerationPrompt: true, EnableThinking: &no},
			"<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n"},
		{"qwen3", "system_user", Options{AddGenerationPrompt: true, EnableThinking: &no},
			"<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nName a prime.<|im_end|>\n" +
				"<|im_start|>assistant\n<think>\n\n</think>\n\n"},
		// an earlier turn's reasoning is dropped; the last assistant turn keeps a (here empty) think block
		{"qwen3", "thinking_history", Options{AddGenerationPrompt: true},
			"<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n2<|im_end|>\n" +
				"<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n"},
		{"qwen3", "ends_on_assistant", Options{},
			"<|im_start|>user\nSay hi.<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHi!<|im_end|>\n"},
		{"llama3.2", "system_user", Options{AddGenerationPrompt: true, Now: pinned},
			"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
				"Cutting Knowledge Date: December 2023\nToday Date: 09 Mar 2025\n\nYou are terse.<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nName a prime.<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n"},
		{"llama3.2", "whitespace_unicode", Options{Now: pinned},
			"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
				"Cutting Knowledge Date: December 2023\nToday Date: 09 Mar 2025\n\n<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\ncafé ∑ 😀\n\nline two<|eot_id|>"},
		// the original Llama 3 template always ends with the assistant header
		{"llama3", "ends_on_assistant", Options{},
			"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nSay hi.<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\nHi!<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n"},
		// list form: "default" is used; bos_token given as an AddedToken object
		{"listform", "system_user", Options{AddGenerationPrompt: true},
			"<s>[system] You are terse.</s>[user] Name a prime.</s>[assistant] "},
	}
	for _, tc := range tests {
		t.Run(tc.family+"/"+tc.conv, func(t *testing.T) {
			got, err := mustLoad(t, tc.family).Render(conversations[tc.conv], tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("render\n got: %q\nwant: %q", got, tc.want)
			}
		})
	}
}

func TestSpecialTokens(t *testing.T) {
	if s, ok := mustLoad(t, "llama3.2").SpecialToken("bos_token"); !ok || s != "<|begin_of_text|>" {
		t.Errorf("llama3.2 bos_token = %q, %v; want <|begin_of_text|>", s, ok)
	}
	if s, ok := mustLoad(t, "qwen3").SpecialToken("bos_token"); ok {
		t.Errorf("qwen3 sets no bos_token (null), got %q", s)
	}
	if s, ok := mustLoad(t, "listform").SpecialToken("bos_token"); !ok || s != "<s>" {
		t.Errorf("AddedToken bos_token = %q, %v; want <s>", s, ok)
	}
	var nilTmpl *Template
	if _, ok := nilTmpl.SpecialToken("bos_token"); ok {
		t.Error("a nil template has no special tokens")
	}
}

func TestNoTemplate(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, TokenizerConfigFile), []byte(`{"bos_token": "<s>"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, err := Load(dir)
	if tmpl != nil || !errors.Is(err, ErrNoTemplate) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("Load on a folder without template = %v, %v; want ErrNoTemplate naming the folder", tmpl, err)
	}
	if _, err := tmpl.Render(conversations["user"], Options{}); !errors.Is(err, ErrNoTemplate) {
		t.Errorf("nil Template.Render error = %v, want ErrNoTemplate", err)
	}
	if tmpl.Source() != "" {
		t.Error("a nil template has no source")
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("Load on a missing folder: %v", err)
	}
}

func TestJinjaFileWinsOverConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(TokenizerConfigFile, `{"eos_token": "</s>", "chat_template": "from config"}`)
	write(TemplateFile, "{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}")
	got, err := mustLoadDir(t, dir).Render(conversations["user"], Options{})
	if err != nil || got != "What is 2+2?</s>" {
		t.Errorf("render = %q, %v; want the chat_template.jinja text with tokenizer_config's eos", got, err)
	}
}

func mustLoadDir(t *testing.T, dir string) *Template {
	t.Helper()
	tmpl, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestListFormWithoutDefault(t *testing.T) {
	dir := t.TempDir()
	cfg := `{"chat_template": [{"name": "tool_use", "template": "x"}, {"name": "rag", "template": "y"}]}`
	if err := os.WriteFile(filepath.Join(dir, TokenizerConfigFile), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), `"default"`) || !strings.Contains(err.Error(), "tool_use") {
		t.Errorf("list without default: %v; want an error naming the templates and the missing default", err)
	}
}

func TestRenderErrors(t *testing.T) {
	tmpl := mustLoad(t, "smollm2")
	if _, err := tmpl.Render(conversations["system_user"], Options{SystemPrompt: "x"}); err == nil || !strings.Contains(err.Error(), "SystemPrompt") {
		t.Errorf("SystemPrompt with a system message: %v", err)
	}
	if _, err := tmpl.Render(nil, Options{}); err == nil || !strings.Contains(err.Error(), "no messages") {
		t.Errorf("no messages: %v", err)
	}
	alt, err := Parse(`{% for m in messages %}{% if (m.role == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant') }}{% endif %}{{ m.content }}{% endfor %}`, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alt.Render(conversations["system_user"], Options{}); err == nil || !strings.Contains(err.Error(), "roles must alternate") {
		t.Errorf("raise_exception: %v; want its message", err)
	}
	if got, err := alt.Render(conversations["user"], Options{}); err != nil || got != "What is 2+2?" {
		t.Errorf("alternating roles render = %q, %v", got, err)
	}
}

// TestUnsupportedIsAnError: what the engine cannot do must fail, never render differently.
func TestUnsupportedIsAnError(t *testing.T) {
	refused := map[string]string{
		"tuple prefix":  "{{ messages[0].content.startswith(('a', 'b')) }}",
		"tuple suffix":  "{% if m.content.endswith( ('a',) ) %}x{% endif %}",
		"format string": "{{ 'turn %d' % loop.index }}",
		"format dquote": `{{ "%s: %s" % (a, b) }}`,
		"maxsplit":      "{{ m.content.split('</think>', 1)[0] }}",
	}
	for name, src := range refused {
		if _, err := Parse(src, "test", nil); err == nil || !strings.Contains(err.Error(), "not supported") || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%s: Parse(%q) = %v; want a 'not supported' error with the line", name, src, err)
		}
	}
	accepted := []string{
		"{{ '%' }}{{ '100%' }}{% if x == 'a' %}{% endif %}{%- if y == \"b\" -%}{%- endif -%}",
		"{% if loop.index0 % 2 == 0 %}{% endif %}{{ m.content.startswith('<tool') }}",
		"{# 'a' % b #}text 'a' % b",
		"{{ m.content.split('</think>')[-1].lstrip('\\n') }}{{ f(a, 'b,c') }}",
	}
	for _, src := range accepted {
		if _, err := Parse(src, "test", nil); err != nil {
			t.Errorf("Parse(%q) refused a supported construct: %v", src, err)
		}
	}
	// unknown filters and string methods fail when rendered
	for _, src := range []string{"{{ messages[0].content | nosuchfilter }}", "{{ messages[0].content.splitlines() }}"} {
		tmpl, err := Parse(src, "test", nil)
		if err == nil {
			_, err = tmpl.Render(conversations["user"], Options{})
		}
		if err == nil {
			t.Errorf("%q rendered without error", src)
		}
	}
}

func TestStrftime(t *testing.T) {
	for format, want := range map[string]string{
		"%d %b %Y":          "09 Mar 2025",
		"%A %a %B %m %y":    "Sunday Sun March 03 25",
		"%H:%M:%S %I %p %w": "15:04:05 03 PM 0",
		"%j %e %%":          "068  9 %",
		"%f":                "000000",
	} {
		got, err := strftime(fixedNow, format)
		if err != nil || got != want {
			t.Errorf("strftime(%q) = %q, %v; want %q", format, got, err, want)
		}
	}
	for _, format := range []string{"%Z", "%c", "100%"} {
		if _, err := strftime(fixedNow, format); err == nil {
			t.Errorf("strftime(%q) did not fail", format)
		}
	}
}

// TestWhitespaceGuard: text whose whitespace the engine would strip or split differently from
// Python is refused where the template strips it, and rendered where it does not matter.
func TestWhitespaceGuard(t *testing.T) {
	llama := mustLoad(t, "llama3.2") // trims message content
	if _, err := llama.Render([]Message{{Role: "user", Content: "hi\x1c"}}, Options{Now: pinned}); err == nil || !strings.Contains(err.Error(), "U+001C") {
		t.Errorf("llama3.2 with U+001C: %v; want an error naming the character", err)
	}
	got, err := llama.Render([]Message{{Role: "user", Content: "\u00a0hi\u3000"}}, Options{Now: pinned})
	if err != nil || !strings.Contains(got, "\n\nhi<|eot_id|>") {
		t.Errorf("llama3.2 trims NBSP and U+3000 as Python does: %q, %v", got, err)
	}
	// qwen3 strips only with explicit characters: any text renders
	if _, err := mustLoad(t, "qwen3").Render([]Message{{Role: "user", Content: "a\x1c\u3000"}}, Options{}); err != nil {
		t.Errorf("qwen3: %v", err)
	}
	rstrip, err := Parse("{% for m in messages %}{{ m.content.rstrip() }}{% endfor %}", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rstrip.Render([]Message{{Role: "user", Content: "a\u3000"}}, Options{}); err == nil {
		t.Error("rstrip() with U+3000 rendered; Python strips it and the engine does not")
	}
	if got, err := rstrip.Render([]Message{{Role: "user", Content: "a \t\r\n"}}, Options{}); err != nil || got != "a" {
		t.Errorf("rstrip() of ASCII whitespace = %q, %v; want \"a\"", got, err)
	}
}

// TestPythonBuiltins: what chat templates use renders as Python's Jinja with transformers'
// globals would (expected text written from Python's behaviour).
func TestPythonBuiltins(t *testing.T) {
	for src, want := range map[string]string{
		// transformers' tojson is json.dumps(ensure_ascii=False): ", " and ": " separators
		`{{ {'a': 1, 'b': [1, 'é']} | tojson }}`:              `{"a": 1, "b": [1, "é"]}`,
		`{{ {'a': [1]} | tojson(indent=2) }}`:                 "{\n  \"a\": [\n    1\n  ]\n}",
		`{{ messages[0] | tojson }}`:                          `{"role": "user", "content": "What is 2+2?"}`,
		`{{ '  x \n'.strip() }}|{{ 'a</b>c'.split('</b>') }}`: "x|['a', 'c']",
		`{{ messages[0].content.startswith('What') }}`:        "True",
		`{% set ns = namespace(n=0) %}{% for m in [1, 2, 3] %}{% set ns.n = ns.n + m %}{% endfor %}{{ ns.n }}`: "6",
		`{% for m in 'ab' %}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{% endfor %}`:                      "0TrueFalse1FalseTrue",
		`{{ messages[::-1][0].role }}{{ (messages | length) - 1 }}`:                                            "user0",
		`{% if enable_thinking is defined %}D{% else %}U{% endif %}{{ bos_token is defined }}`:                 "UFalse",
	} {
		tmpl, err := Parse(src, "test", nil)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		got, err := tmpl.Render(conversations["user"], Options{})
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", src, got, err, want)
		}
	}
}
