package rl

import "fmt"

// errorf prefixes every error of this package with "rl: ".
func errorf(format string, args ...any) error {
	return fmt.Errorf("rl: "+format, args...)
}
