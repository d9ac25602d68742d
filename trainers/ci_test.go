package trainers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	_ "grit/envs/tool" // registers the "tool" env
	"grit/trainers"
	"grit/trainers/configfile"
)

// runCIConfig runs configs/ci/<name>.yaml with extra --set overrides, and returns the summary.
// Its init path is relative to the file, so the working directory does not matter. Skipped with
// -short.
func runCIConfig(t *testing.T, name string, sets ...string) *trainers.Summary {
	t.Helper()
	if testing.Short() {
		t.Skip("CI training runs are skipped with -short")
	}
	cfg, err := configfile.Load(filepath.Join("..", "configs", "ci", name+".yaml"), sets, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), name)
	s, err := trainers.Run(context.Background(), cfg, trainers.RunOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("GRITDEV_CI_KEEP") != "" { // keep the run folder for RESULTS.md
		keep := filepath.Join(os.Getenv("GRITDEV_CI_KEEP"), name)
		os.RemoveAll(keep)
		if err := os.Rename(dir, keep); err != nil {
			t.Log(err)
		}
	}
	t.Logf("%s: base %v\nfinal %v", name, s.Base, s.Final)
	return s
}

// assertGain runs a CI config and requires held-out accuracy to rise by at least minGain.
func assertGain(t *testing.T, name string, minGain float64) {
	s := runCIConfig(t, name)
	gain := s.Final["accuracy"] - s.Base["accuracy"]
	if gain < minGain {
		t.Fatalf("%s raised held-out accuracy by %.3f (base %.3f, final %.3f); want at least %.2f",
			name, gain, s.Base["accuracy"], s.Final["accuracy"], minGain)
	}
}

func TestCIGRPOImprovesHeldOutAccuracy(t *testing.T) { assertGain(t, "grpo", 0.20) }

func TestCINFTImprovesHeldOutAccuracy(t *testing.T) { assertGain(t, "nft", 0.20) }

func TestCIExpertIterImprovesHeldOutAccuracy(t *testing.T) { assertGain(t, "expert_iter", 0.20) }

func TestCISCoReLearnsToCorrect(t *testing.T) {
	s := runCIConfig(t, "score")
	base, final := s.Base, s.Final
	if !(final["delta_t1_t2"] > 0 && final["delta_t1_t2"] > base["delta_t1_t2"]) {
		t.Fatalf("Delta(t1,t2): base %.3f, final %.3f; want final > 0 and > base", base["delta_t1_t2"], final["delta_t1_t2"])
	}
	if final["delta_c_to_i"] > base["delta_c_to_i"] {
		t.Fatalf("Delta c->i rose from %.3f to %.3f", base["delta_c_to_i"], final["delta_c_to_i"])
	}
}

func TestCIHDPOCutsToolCallsKeepingAccuracy(t *testing.T) {
	grpo := runCIConfig(t, "tool-grpo").Final
	hdpo := runCIConfig(t, "hdpo").Final
	if hdpo["tool_calls_mean"] > 0.5*grpo["tool_calls_mean"] {
		t.Errorf("HDPO makes %.3f tool calls per episode, GRPO %.3f; want at most half", hdpo["tool_calls_mean"], grpo["tool_calls_mean"])
	}
	if hdpo["accuracy"] < grpo["accuracy"]-0.03 {
		t.Errorf("HDPO held-out accuracy %.3f is more than 3 points below GRPO's %.3f", hdpo["accuracy"], grpo["accuracy"])
	}
	if hdpo["tool_calls_mean/hard"] < 0.9 {
		t.Errorf("HDPO stopped calling the calculator on hard tasks (%.3f calls per episode), where it is needed", hdpo["tool_calls_mean/hard"])
	}
}

// Reflect, Retry, Reward from the SCoRe base policy, and the same run retrying without reflection
// (the retry itself trained). What the fixed seed shows (RESULTS.md, "RRR"): training only the
// reflections leaves the retry nearly as bad as the base's, while training the retry directly
// lifts after-retry accuracy by more than 10 points over RRR's. Both never retry a right first
// attempt, so neither turns a right answer wrong.
func TestCIRRRAgainstRetryWithoutReflection(t *testing.T) {
	rrr := runCIConfig(t, "rrr")
	plain := runCIConfig(t, "rrr", "rrr.reflect=false")
	for name, s := range map[string]*trainers.Summary{"rrr": rrr, "retry without reflection": plain} {
		if s.Final["delta_c_to_i"] != 0 || s.Final["acc_t2"] < s.Final["acc_t1"] {
			t.Errorf("%s: Delta c->i %.3f, Acc@t1 %.3f, Acc@t2 %.3f; a right first attempt is never retried, so c->i must be 0 and Acc@t2 >= Acc@t1",
				name, s.Final["delta_c_to_i"], s.Final["acc_t1"], s.Final["acc_t2"])
		}
	}
	if plain.Final["acc_t2"] < rrr.Final["acc_t2"]+0.10 {
		t.Errorf("after-retry accuracy: retry without reflection %.3f, rrr %.3f; want the first at least 10 points ahead",
			plain.Final["acc_t2"], rrr.Final["acc_t2"])
	}
	if !(plain.Final["retry_success"] > plain.Base["retry_success"]) {
		t.Errorf("retry without reflection: held-out retry success %.3f -> %.3f; want a rise (the retry is trained)",
			plain.Base["retry_success"], plain.Final["retry_success"])
	}
}

// The harder tasks' shipped base policies (configs/base/<name>, made by configs/sft-<name>.yaml)
// start low but not at zero: held-out greedy accuracy on their recipe's env in [5%, 30%], so that
// RL from them neither starts from nothing nor has little left to gain.
func TestHardTaskBasesStartLowButNotZero(t *testing.T) {
	for _, name := range hardTaskBases {
		t.Run(name, func(t *testing.T) {
			cfg, err := configfile.Load(filepath.Join("..", "configs", "sft-"+name+".yaml"), nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, err := trainers.Eval(context.Background(), trainers.EvalOptions{
				Checkpoint: filepath.Join("..", "configs", "base", name), Env: cfg.Env, EnvArgs: cfg.EnvArgs,
				MaxNew: cfg.MaxNewTokens, Seed: 1,
			})
			if err != nil {
				t.Fatal(err)
			}
			if acc := m["accuracy"]; acc < 0.05 || acc > 0.30 {
				t.Fatalf("configs/base/%s: held-out accuracy %.3f, want in [0.05, 0.30]", name, acc)
			}
			t.Logf("configs/base/%s: held-out accuracy %.3f over %v tasks", name, m["accuracy"], m["tasks"])
		})
	}
}

// hardTaskBases are the base policies of the harder tasks (RESULTS.md, Study A).
var hardTaskBases = []string{"add3", "mul", "countdown", "wordproblems"}

// Study A (RESULTS.md): from the weak three-digit-addition base (15%), positives-only fine-tuning
// and GRPO each raise held-out accuracy by at least 8 points; over seeds 7-14 every run of both
// did (RFT's smallest gain was +8.0, GRPO's +10.5; seed 7 gives +13.5 and +18.0).
func TestCIRFTAndGRPOImproveThreeDigitAddition(t *testing.T) {
	for _, algo := range []string{"nft", "grpo"} {
		t.Run(algo, func(t *testing.T) {
			s := runCIConfig(t, "rft-add3", "algo="+algo)
			if gain := s.Final["accuracy"] - s.Base["accuracy"]; gain < 0.08 {
				t.Fatalf("rft-add3 with algo %s raised held-out accuracy by %.3f (base %.3f, final %.3f); want at least 0.08",
					algo, gain, s.Base["accuracy"], s.Final["accuracy"])
			}
		})
	}
}
