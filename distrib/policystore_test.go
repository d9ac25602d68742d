package distrib

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/policy"
)

// A policy version goes through the bucket unchanged (same weight bytes), carries the run config
// without the workers' credentials (a learner with user/password once sent a config the worker
// could not load), and is gone after pruning.
func TestPolicyVersionRoundTrip(t *testing.T) {
	ctx := context.Background()
	_, _, obj := startTestStore(ctx, t)
	cfg := tinyConfig(t, "workers.enabled=true", "workers.user=grit", "workers.password=pw-secret-1", "workers.url=nats://x:1")
	pol, err := policy.LoadPolicy(cfg.Init)
	if err != nil {
		t.Fatal(err)
	}
	if err := publishPolicy(ctx, obj, 3, pol, cfg, chunkOptions(1<<20)); err != nil {
		t.Fatal(err)
	}
	raw, err := getObject(ctx, obj, versionDir(3))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "pw-secret-1") || strings.Contains(string(raw), "nats://x:1") {
		t.Fatalf("the version carries the workers section:\n%s", raw)
	}
	cache := t.TempDir()
	got, gotCfg, _, err := fetchPolicy(ctx, obj, 3, cache)
	if err != nil {
		t.Fatal(err)
	}
	if gotCfg.Seed != cfg.Seed || gotCfg.Env != cfg.Env || gotCfg.NumGenerations != cfg.NumGenerations || gotCfg.Workers.Enabled {
		t.Fatalf("config after the trip: %+v", gotCfg)
	}
	want, _ := os.ReadFile(filepath.Join(cfg.Init, "model.safetensors"))
	have, _ := os.ReadFile(filepath.Join(cache, versionDir(3), "model.safetensors"))
	if len(want) == 0 || string(want) != string(have) {
		t.Fatal("model.safetensors changed on the way through the bucket")
	}
	if policy.CountParams(got) != policy.CountParams(pol) {
		t.Fatal("loaded policy has another shape")
	}
	if err := pruneVersions(ctx, obj, 4, 4); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := fetchPolicy(ctx, obj, 3, t.TempDir()); !errors.Is(err, errNoVersion) {
		t.Fatalf("after pruning: %v, want errNoVersion", err)
	}
}
