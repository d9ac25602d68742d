package main

import (
	"os"
	"syscall"
	"unsafe"
)

// terminalColumns is the width of the terminal on f (TIOCGWINSZ), or 0 when f is not one.
func terminalColumns(f *os.File) int {
	var ws struct{ rows, cols, x, y uint16 }
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), uintptr(syscall.TIOCGWINSZ), uintptr(unsafe.Pointer(&ws)))
	if errno != 0 {
		return 0
	}
	return int(ws.cols)
}
