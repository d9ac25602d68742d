// Package configfile resolves a trainers.Config from its four layers and writes it back out.
//
// Precedence, lowest first:
//
//	built-in defaults (trainers.DefaultsMap)
//	< config file (YAML; its `algo` key picks the algorithm)
//	< GRIT_* environment variables (GRIT_LR, GRIT_SCORE_ALPHA for score.alpha: dots become underscores)
//	< --set key=value flags (values parsed to the type of the key's default)
//
// The layers are merged with viper and decoded strictly (mapstructure, no weak typing, unused keys
// rejected). Every layer is checked on its way in, so an error names the key, where it came from
// (file and line, variable, or flag), and what is expected: unknown keys list the valid ones,
// closest match first (or the key a common synonym stands for); wrong types name the expected
// type; values out of range name where they were set too.
//
// A relative `init` or `env_args.path` in a config file is relative to the file's folder; from the
// other layers, to the working directory. A resolved Config holds them absolute.
//
// Dump writes a resolved Config as YAML in the Config's field order; Load of a dumped file gives
// the same Config back. WriteResolved / LoadResolved store it as DIR/config.yaml in a run folder;
// WriteResolved never replaces an existing one.
package configfile
