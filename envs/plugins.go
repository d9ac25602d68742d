package envs

import "io"

// PluginStats counts an env's calls to an out-of-process grader since it started.
type PluginStats struct {
	Calls    int64 // grade calls
	Failed   int64 // calls whose every component failed (timeout, crash, protocol or plugin error)
	Timeouts int64 // failed calls that ran past the timeout
	Restarts int64 // plugin processes restarted after a failure
}

// Sub is s - o, the counts between two snapshots.
func (s PluginStats) Sub(o PluginStats) PluginStats {
	return PluginStats{Calls: s.Calls - o.Calls, Failed: s.Failed - o.Failed, Timeouts: s.Timeouts - o.Timeouts, Restarts: s.Restarts - o.Restarts}
}

// PluginReporter is implemented by envs whose rewards come from plugin processes: trainers log
// the counts per step and keep the plugins' stderr in the run folder.
type PluginReporter interface {
	PluginStats() PluginStats
	// SetPluginStderr sends the plugins' stderr (and notes on failures and restarts) to w; nil
	// stops it.
	SetPluginStderr(w io.Writer)
}

// AsPluginReporter returns env as a PluginReporter, or false when no plugin grades it.
func AsPluginReporter(env Env) (PluginReporter, bool) {
	r, ok := env.(PluginReporter)
	if !ok {
		return nil, false
	}
	if c, isCorrection := env.(*correction); isCorrection { // forwards only when its base has plugins
		if _, ok := c.base.(PluginReporter); !ok {
			return nil, false
		}
	}
	return r, true
}
