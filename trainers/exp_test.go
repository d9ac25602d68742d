package trainers

import (
	"context"
	"os"
	"strconv"
	"testing"
)

func envInt(k string, d int) int {
	if v := os.Getenv(k); v != "" {
		n, _ := strconv.Atoi(v)
		return n
	}
	return d
}
func envF(k string, d float64) float64 {
	if v := os.Getenv(k); v != "" {
		n, _ := strconv.ParseFloat(v, 64)
		return n
	}
	return d
}

var expArgs = map[string]any{"digits_min": 1, "digits_max": 2, "operators": []string{"+", "-"}}

func TestExpSFT(t *testing.T) {
	if os.Getenv("EXP") != "sft" {
		t.Skip()
	}
	cfg := Defaults()
	cfg.Algo = "sft"
	cfg.Init = ""
	cfg.EnvArgs = expArgs
	cfg.Steps = envInt("STEPS", 300)
	cfg.LR = 3e-3
	cfg.EvalEvery = envInt("EVERY", 100)
	cfg.CheckpointEvery = 100
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: "/tmp/exp-sft", Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
}

func TestExpGRPO(t *testing.T) {
	if os.Getenv("EXP") != "grpo" {
		t.Skip()
	}
	cfg := Defaults()
	cfg.Init = os.Getenv("BASE")
	cfg.PromptsPerStep = envInt("P", 16)
	cfg.NumGenerations = envInt("G", 8)
	cfg.MiniBatchSize = envInt("MBS", cfg.PromptsPerStep*cfg.NumGenerations)
	cfg.NumIterations = envInt("MU", 1)
	cfg.Temperature = envF("TEMP", 1)
	cfg.EnvArgs = expArgs
	cfg.Steps = envInt("STEPS", 60)
	cfg.LR = envF("LR", 2e-4)
	cfg.EvalEvery = 10
	s, err := Run(context.Background(), cfg, RunOptions{OutDir: "/tmp/exp-grpo", Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", s)
}

func TestExpEval(t *testing.T) {
	if os.Getenv("EXP") != "eval" {
		t.Skip()
	}
	m, err := Eval(context.Background(), EvalOptions{Checkpoint: os.Getenv("CKPT"), Env: "arithmetic", EnvArgs: expArgs, PassK: 8, MaxNew: 6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v", m)
}
