// Package plugins holds what env and reward plugins are built from: named registries and Args,
// the typed reader of a plugin's settings.
//
// A Registry maps names to factories (the database/sql driver pattern): a package registers its
// factories from init, a config selects one by name, and an unknown name is an error that lists
// the registered ones. Packages envs and rewards keep one Registry each (envs.Register,
// rewards.Register); package policy keeps two, for model families and tokenizer kinds.
//
// Args reads a factory's params (a config's `env_args` or a reward's `args`) with types and
// defaults, and rejects keys nobody read:
//
//	a := plugins.NewArgs(params)
//	budget := a.Int("budget", 8)
//	if err := a.Done(); err != nil { ... }
package plugins
