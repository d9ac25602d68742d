package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// invocation is how to run this program again from the current directory, for the hints printed
// after a run: "go run ./cmd/train" under `go run` (its binary lives in a temporary go-build
// folder), "train" when that name on PATH is this binary, else the path it was started by.
func invocation() string {
	exe, err := os.Executable()
	if err != nil {
		return "train"
	}
	return invocationOf(exe, os.Args[0], func(name string) (string, error) { return exec.LookPath(name) })
}

func invocationOf(exe, arg0 string, lookPath func(string) (string, error)) string {
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/train"
	}
	if p, err := lookPath("train"); err == nil && sameFile(p, exe) {
		return "train"
	}
	return arg0 // "./train", a path, or another name on PATH: works again as typed
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}
