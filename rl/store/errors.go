package store

import "fmt"

// errorf prefixes every error of this package with "rl/store: ".
func errorf(format string, args ...any) error {
	return fmt.Errorf("rl/store: "+format, args...)
}
