package trainers

import (
	"runtime/debug"
	"testing"
)

func TestGCTunedOnlyForLargePoliciesAndNotOverTheUsersChoice(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if TuneGCForPolicy(gcTuneMinParams - 1) {
		t.Fatal("a small policy changed the collector's target")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC after a small policy = %d, want 100 (unchanged)", got)
	}
	if !TuneGCForPolicy(135_000_000) {
		t.Fatal("a 135M-parameter policy did not tune the collector")
	}
	if got := debug.SetGCPercent(100); got != LargeModelGCPercent {
		t.Fatalf("GOGC after a large policy = %d, want %d", got, LargeModelGCPercent)
	}
	t.Setenv("GOGC", "200")
	if TuneGCForPolicy(135_000_000) {
		t.Fatal("tuned the collector although GOGC was set")
	}
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "6GiB")
	if TuneGCForPolicy(135_000_000) {
		t.Fatal("tuned the collector although GOMEMLIMIT was set")
	}
}
