package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"grit/trainers"
	"grit/trainers/configfile"
)

// A learner whose workers.url cannot be reached stops with exit 2 before it writes a run folder.
func TestLearnerWithUnreachableServerExits2(t *testing.T) {
	a, fr, _, errOut := newTestApp(t)
	out := filepath.Join(t.TempDir(), "run")
	code := a.execute([]string{"--set", "env=" + testEnv, "--set", "workers.enabled=true",
		"--set", "workers.url=nats://127.0.0.1:1", "--out", out})
	if code != exitConfigError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitConfigError, errOut)
	}
	if !strings.Contains(errOut.String(), "NATS server unreachable") || !strings.Contains(errOut.String(), "nats://127.0.0.1:1") {
		t.Fatalf("stderr does not say which server is unreachable:\n%s", errOut)
	}
	if fr.called {
		t.Fatal("the run started")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("run folder written (%v)", err)
	}
}

// A worker that cannot reach its server exits 2 with the address in the message.
func TestWorkerWithUnreachableServerExits2(t *testing.T) {
	a, _, _, errOut := newTestApp(t)
	if code := a.execute([]string{"worker", "--connect", "nats://127.0.0.1:1"}); code != exitConfigError {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitConfigError, errOut)
	}
	if !strings.Contains(errOut.String(), "nats://127.0.0.1:1") {
		t.Fatalf("stderr lacks the address:\n%s", errOut)
	}
	if code := a.execute([]string{"worker"}); code != exitConfigError {
		t.Fatalf("worker without --connect: exit %d, want %d", code, exitConfigError)
	}
}

// A resumed run's config.yaml holds the credentials redacted; the environment supplies them.
func TestResumeFillsWorkerSecretsFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	cfg := trainers.Defaults()
	cfg.Workers.Enabled, cfg.Workers.User, cfg.Workers.Password = true, "grit", "s3cret-pw"
	if err := configfile.WriteResolved(dir, cfg); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, configfile.ResolvedName))
	if strings.Contains(string(raw), "s3cret-pw") {
		t.Fatal("config.yaml holds the password")
	}
	loaded, err := configfile.LoadResolved(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Workers.CheckSecrets() == nil {
		t.Fatal("the redacted placeholder passed as a password")
	}
	fillWorkerSecrets(&loaded, []string{"HOME=/x", "GRIT_WORKERS_PASSWORD=s3cret-pw"})
	if loaded.Workers.Password != "s3cret-pw" || loaded.Workers.CheckSecrets() != nil {
		t.Fatalf("password after fillWorkerSecrets: %q", loaded.Workers.Password.Reveal())
	}
}
