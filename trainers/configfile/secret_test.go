package configfile

import (
	"strings"
	"testing"

	"grit/trainers"
)

// A workers password or token never reaches config.yaml: Dump writes a placeholder, and the placeholder
// is refused as a credential (a resumed run takes the secret from the environment).
func TestDumpRedactsWorkerSecrets(t *testing.T) {
	cfg := trainers.Defaults()
	cfg.Workers.Enabled, cfg.Workers.User = true, "learner"
	cfg.Workers.Password = "hunter2-pw"
	cfg.Workers.Token = "tok-s3cret"
	raw, err := Dump(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2-pw", "tok-s3cret"} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("config dump shows the secret %q:\n%s", secret, raw)
		}
	}
	if !strings.Contains(string(raw), "password: "+trainers.Redacted) {
		t.Fatalf("config dump lacks the redacted password line:\n%s", raw)
	}
	cfg.Workers.Token = trainers.Redacted
	cfg.Workers.User, cfg.Workers.Password = "", ""
	if err := cfg.Workers.CheckSecrets(); err == nil || !strings.Contains(err.Error(), "GRIT_WORKERS_TOKEN") {
		t.Fatalf("CheckSecrets of a redacted token = %v, want an error naming GRIT_WORKERS_TOKEN", err)
	}
}
