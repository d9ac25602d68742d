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

// runCIConfig runs configs/ci/<name>.yaml from the repository root (where its init paths point)
// with extra --set overrides, and returns the summary. Skipped with -short.
func runCIConfig(t *testing.T, name string, sets ...string) *trainers.Summary {
	t.Helper()
	if testing.Short() {
		t.Skip("CI training runs are skipped with -short")
	}
	t.Chdir("..")
	cfg, err := configfile.Load(filepath.Join("configs", "ci", name+".yaml"), sets, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), name)
	s, err := trainers.Run(context.Background(), cfg, trainers.RunOptions{OutDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("GRIT_CI_KEEP") != "" { // keep the run folder for RESULTS.md
		keep := filepath.Join(os.Getenv("GRIT_CI_KEEP"), name)
		os.RemoveAll(keep)
		if err := os.Rename(dir, keep); err != nil {
			t.Log(err)
		}
	}
	t.Logf("%s: base %v\nfinal %v", name, s.Base, s.Final)
	return s
}

func TestCIGRPOImprovesHeldOutAccuracy(t *testing.T) {
	s := runCIConfig(t, "grpo")
	gain := s.Final["accuracy"] - s.Base["accuracy"]
	if gain < 0.20 {
		t.Fatalf("GRPO raised held-out accuracy by %.3f (base %.3f, final %.3f); want at least 0.20",
			gain, s.Base["accuracy"], s.Final["accuracy"])
	}
}

func TestCINFTImprovesHeldOutAccuracy(t *testing.T) {
	s := runCIConfig(t, "nft")
	gain := s.Final["accuracy"] - s.Base["accuracy"]
	if gain < 0.20 {
		t.Fatalf("NFT raised held-out accuracy by %.3f (base %.3f, final %.3f); want at least 0.20",
			gain, s.Base["accuracy"], s.Final["accuracy"])
	}
}
