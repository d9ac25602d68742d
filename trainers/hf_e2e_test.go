package trainers

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"grit/policy"
)

// hfE2EShape is the tiny Qwen3 of the end-to-end test: one block of width 32 (MLP 128) under the
// real 151k-row tied embedding of the Qwen3 tokenizer (4.9M parameters, nearly all embedding).
var hfE2EShape = tinyQwen3{Hidden: 32, Layers: 1, Heads: 4, KVHeads: 2, HeadDim: 8, MLP: 128, Context: 64}

// hfE2EConfig is a run on one-digit addition from init. Prompts are plain ("3+4=" encoded by the
// Qwen3 tokenizer, no BOS): the output layer's cost grows with every prompt token and the chat
// template's 10 extra tokens per prompt would more than double it (TestCorrectionEnvWithChatTemplate
// plays a real model through the template).
func hfE2EConfig(algo Algorithm, init string) Config {
	cfg := Defaults()
	cfg.Algo, cfg.Seed, cfg.Init = algo, 5, init
	cfg.EnvArgs = map[string]any{"digits_min": 1, "digits_max": 1, "operators": []any{"+"}}
	cfg.MaxNewTokens = 3
	cfg.EvalTasks = 0 // the whole held-out split: the 10 one-digit sums kept out of training
	cfg.CheckpointEvery = 0
	cfg.LR = 1e-2
	return cfg
}

// From a Hugging Face Qwen3 folder with the real Qwen3 tokenizer: SFT on
// one-digit addition raises held-out greedy accuracy clearly above the random model's (measured:
// 0 -> 0.5); GRPO from the SFT checkpoint then runs, logs finite metrics and raises it further
// (measured: 0.5 -> 0.9); the final
// checkpoint is a Hugging Face folder that policy.LoadPolicy reloads with the trained tensors
// bit for bit, with the tokenizer files copied.
//
// Cost: about 78 s of CPU and 1.1 GB peak RSS (150 SFT steps of 32 sequences, 8 GRPO steps of 8x4 completions, four
// evaluations), nearly all in the 151k-wide output layer.
func TestHFQwen3SFTThenGRPO(t *testing.T) {
	if testing.Short() {
		t.Skip("the Hugging Face end-to-end run is skipped with -short")
	}
	root := t.TempDir()
	init := writeTinyQwen3(t, filepath.Join(root, "qwen3-tiny"), hfE2EShape, 1)

	start := time.Now()
	sftCfg := hfE2EConfig(AlgoSFT, init)
	sftCfg.Steps, sftCfg.SFT.BatchSize, sftCfg.EvalEvery = 150, 32, 0
	sftDir := filepath.Join(root, "sft")
	sum, err := Run(context.Background(), sftCfg, RunOptions{OutDir: sftDir})
	if err != nil {
		t.Fatal(err)
	}
	base, sftAcc := sum.Base[keyAccuracy], sum.Final[keyAccuracy]
	t.Logf("sft: held-out accuracy %.3f -> %.3f in %.1fs", base, sftAcc, time.Since(start).Seconds())
	if !(sftAcc >= base+0.3) {
		t.Fatalf("sft moved held-out accuracy from %.3f to %.3f; want a rise of at least 0.3", base, sftAcc)
	}

	start = time.Now()
	grpoCfg := hfE2EConfig(AlgoGRPO, filepath.Join(sftDir, "checkpoints", "latest"))
	grpoCfg.Steps, grpoCfg.PromptsPerStep, grpoCfg.NumGenerations, grpoCfg.EvalEvery = 8, 8, 4, 0
	grpoCfg.LR = 2e-3
	grpoDir := filepath.Join(root, "grpo")
	var trained policy.Policy
	hook := func(_ string, _ int, pol policy.Policy) { trained = pol }
	sum, err = Run(context.Background(), grpoCfg, RunOptions{OutDir: grpoDir, hook: hook})
	if err != nil {
		t.Fatal(err)
	}
	grpoAcc := sum.Final[keyAccuracy]
	t.Logf("grpo: held-out accuracy %.3f -> %.3f in %.1fs", sum.Base[keyAccuracy], grpoAcc, time.Since(start).Seconds())
	if sum.Base[keyAccuracy] != sftAcc {
		t.Errorf("grpo's base accuracy %.3f differs from the SFT checkpoint's final %.3f", sum.Base[keyAccuracy], sftAcc)
	}
	if !(grpoAcc >= sftAcc+0.1) {
		t.Errorf("grpo moved held-out accuracy from %.3f to %.3f; want a rise of at least 0.1 (the measured run went 0.5 -> 0.9)", sftAcc, grpoAcc)
	}
	steps := readMetrics(t, grpoDir)
	if len(steps) != grpoCfg.Steps {
		t.Fatalf("metrics.jsonl has %d steps, want %d", len(steps), grpoCfg.Steps)
	}
	for _, m := range steps {
		for _, k := range []string{keyLoss, keyRewardMean, keyGradNorm} {
			v, ok := m[k].(float64)
			if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("step %v: %s = %v; want a finite number", m["step"], k, m[k])
			}
		}
		if r := m[keyRewardMean].(float64); r < 0 || r > 1 {
			t.Fatalf("step %v: reward_mean %v outside [0, 1]", m["step"], r)
		}
	}

	latest := filepath.Join(grpoDir, "checkpoints", "latest")
	for _, f := range []string{"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} {
		want, err := os.ReadFile(filepath.Join(init, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(latest, f))
		if err != nil {
			t.Fatalf("the exported checkpoint lacks %s: %v", f, err)
		}
		if (f == "tokenizer.json" || f == "tokenizer_config.json") && string(got) != string(want) {
			t.Errorf("%s of the exported checkpoint differs from the init folder's", f)
		}
	}
	reloaded, err := policy.LoadPolicy(latest)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded.Tokenizer().VocabSize() != trained.Tokenizer().VocabSize() {
		t.Fatalf("reloaded vocabulary %d, trained %d", reloaded.Tokenizer().VocabSize(), trained.Tokenizer().VocabSize())
	}
	got, want := reloaded.Params(), trained.Params()
	if len(got) != len(want) {
		t.Fatalf("reloaded %d parameters, trained %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || len(got[i].Value.Data) != len(want[i].Value.Data) {
			t.Fatalf("parameter %d: reloaded %s, trained %s", i, got[i].Name, want[i].Name)
		}
		for j, v := range want[i].Value.Data {
			if got[i].Value.Data[j] != v {
				t.Fatalf("%s[%d]: reloaded %v, trained %v", want[i].Name, j, got[i].Value.Data[j], v)
			}
		}
	}
}
