// Package example is an in-process grit plugin to copy: importing it (for its side effects)
// registers the reward "example_short_exact" and the env "example_parity", which a config then
// selects by name. See README.md.
package example
