//go:build unix

package main

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

func TestFirstSignalCancelsSecondExits(t *testing.T) {
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	ctx, stop := notifyContext(&errOut, func(code int) { exited <- code })
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("first SIGINT did not cancel the context")
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exited:
		if code != exitInterrupted {
			t.Errorf("exit code %d, want %d", code, exitInterrupted)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second signal did not exit")
	}
}
