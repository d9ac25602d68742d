package main

import (
	"strings"

	"grit/trainers/configfile"
)

// unknownFlagError explains a flag that does not exist. Config keys are not flags: `--lr 1e-3`
// is answered with `--set lr=1e-3` (the value taken from the command line when it follows).
func unknownFlagError(err error, args []string) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return configError{err}
	}
	key, known := configfile.KeyFor(strings.ReplaceAll(name, "-", "_"))
	if !known {
		return configErrorf("%v; config settings are not flags: give them as --set key=value (see train --help)", err)
	}
	value := "<value>"
	for i, a := range args {
		if v, found := strings.CutPrefix(a, "--"+name+"="); found {
			value = v
		} else if a == "--"+name && i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			value = args[i+1]
		}
	}
	return configErrorf("%v; config settings are not flags: use --set %s=%s", err, key, value)
}
