// Package headless drives a headless Chromium from tests: load a page (file:// or http://), dump
// its DOM after the scripts ran, take a screenshot. It runs the browser's own command-line modes
// (--dump-dom, --screenshot), so it needs nothing but the browser binary.
package headless

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// ErrNoBrowser means no Chromium binary was found; tests skip on it.
var ErrNoBrowser = errors.New("no headless Chromium found: install the Debian package chromium (apt-get install -y chromium) or set GRITDEV_CHROMIUM to a Chrome/Chromium binary")

// Find returns the browser binary: $GRITDEV_CHROMIUM, else the first of chromium, chromium-browser,
// google-chrome, google-chrome-stable on PATH.
func Find() (string, error) {
	if p := os.Getenv("GRITDEV_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoBrowser
}

// Browser is one browser binary with a private profile folder.
type Browser struct {
	Bin     string
	Profile string        // --user-data-dir, so parallel runs do not share a profile
	Timeout time.Duration // per invocation
}

// New finds the browser; profile is a folder it may write.
func New(profile string) (*Browser, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	return &Browser{Bin: bin, Profile: profile, Timeout: 90 * time.Second}, nil
}

func (b *Browser) run(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), b.Timeout)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--hide-scrollbars", "--mute-audio", "--user-data-dir=" + b.Profile}
	cmd := exec.CommandContext(ctx, b.Bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tail := stderr.Bytes()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return nil, fmt.Errorf("%s %v: %w\n%s", b.Bin, args, err, tail)
	}
	return stdout.Bytes(), nil
}

// DumpDOM loads url and returns the serialized DOM after the load event. budget > 0 lets the page
// run timers and late scripts for that much virtual time first (0: dump right after load, so that
// performance.now() inside the page measures real time).
func (b *Browser) DumpDOM(url string, budget time.Duration) (string, error) {
	args := []string{"--dump-dom"}
	if budget > 0 {
		args = append(args, "--virtual-time-budget="+strconv.Itoa(int(budget.Milliseconds())))
	}
	out, err := b.run(append(args, url)...)
	return string(out), err
}

// Screenshot loads url in a width x height window and writes a PNG to path.
func (b *Browser) Screenshot(url, path string, width, height int, budget time.Duration) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	_, err = b.run("--screenshot="+abs, fmt.Sprintf("--window-size=%d,%d", width, height),
		"--virtual-time-budget="+strconv.Itoa(int(budget.Milliseconds())), url)
	if err != nil {
		return err
	}
	if st, err := os.Stat(abs); err != nil || st.Size() == 0 {
		return fmt.Errorf("the browser wrote no screenshot at %s", abs)
	}
	return nil
}

// FileURL is the file:// URL of a local path.
func FileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return "file://" + filepath.ToSlash(abs), nil
}

// ArtifactDir is where a test keeps files worth looking at (screenshots): $GRITDEV_TEST_ARTIFACTS
// when set (created), else fallback (a t.TempDir()).
func ArtifactDir(fallback string) string {
	if d := os.Getenv("GRITDEV_TEST_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err == nil {
			return d
		}
	}
	return fallback
}
