//go:build !unix

package extproc

import "os/exec"

// ownProcessGroup does nothing where process groups do not exist.
func ownProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup kills the plugin process.
func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}
