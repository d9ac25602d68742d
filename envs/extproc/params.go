package extproc

import (
	"strings"
	"time"

	"grit/plugins"
)

// readConfig reads the pool settings shared by the "exec" reward and the "plugin" env:
//
//	command:       [python3, plugin.py]  executable and arguments (a string is split at spaces)
//	timeout:       2s                    per call (a duration string, or a number of seconds)
//	start_timeout: 30s                   for starting a process and its handshake
//	pool:          2                     processes run at once
//	dir:           path                  working directory of the plugin
func readConfig(a *plugins.Args, params map[string]any) Config {
	var cfg Config
	if s, isString := params["command"].(string); isString {
		a.Has("command")
		cfg.Command = strings.Fields(s)
	} else {
		cfg.Command = a.Strings("command", nil)
	}
	if len(cfg.Command) == 0 {
		a.Failf("command", "missing; set it to the plugin executable and its arguments, e.g. [python3, plugins/python/example_reward.py]")
	}
	cfg.Timeout = readDuration(a, params, "timeout", DefaultTimeout)
	cfg.StartTimeout = readDuration(a, params, "start_timeout", DefaultStartTimeout)
	cfg.Size = a.Int("pool", 1)
	if cfg.Size < 1 {
		a.Failf("pool", "must be at least 1, got %d", cfg.Size)
	}
	cfg.Dir = a.String("dir", "")
	return cfg
}

// readDuration reads a positive duration given as a string ("500ms", "2s") or a number of seconds.
func readDuration(a *plugins.Args, params map[string]any, key string, def time.Duration) time.Duration {
	if !a.Has(key) {
		return def
	}
	var d time.Duration
	switch v := params[key].(type) {
	case string:
		parsed, err := time.ParseDuration(v)
		if err != nil {
			a.Failf(key, "%q is not a duration; write it like 500ms, 2s or 1m", v)
			return def
		}
		d = parsed
	case time.Duration:
		d = v
	default:
		secs := a.Float(key, 0)
		d = time.Duration(secs * float64(time.Second))
	}
	if d <= 0 {
		a.Failf(key, "must be a positive duration, got %v", params[key])
		return def
	}
	return d
}
