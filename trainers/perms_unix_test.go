//go:build unix

package trainers

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Every file of a run folder gets the mode os.Create gives (0666 less the umask), including those
// written through temporary files (weights, optimizer state, tokenizer, rollouts).
func TestRunFolderFilesFollowTheUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	cfg := tinyRunConfig()
	cfg.Steps = 2
	dir := t.TempDir()
	if _, err := Run(context.Background(), cfg, RunOptions{OutDir: dir}); err != nil {
		t.Fatal(err)
	}
	n := 0
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		n++
		if perm := info.Mode().Perm(); perm != 0o644 {
			t.Errorf("%s has mode %o, want 644 (umask 022)", path, perm)
		}
		return nil
	})
	if err != nil || n < 10 {
		t.Fatalf("walked %d files: %v", n, err)
	}
}
