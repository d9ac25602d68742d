//go:build !linux

package main

import "os"

// terminalColumns is unknown (0) off Linux; $COLUMNS or the default width applies.
func terminalColumns(*os.File) int { return 0 }
