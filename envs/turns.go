package envs

// ReflectionTurns is implemented by multi-turn envs with a turn that is not a graded answer but
// the policy's self-reflection (the reflect-and-retry env). Evaluation skips such turns when it
// grades attempts; the turn's StepResult carries no reward components.
type ReflectionTurns interface {
	ReflectionTurn(turn int) bool // turn is 0-based
}

// IsReflectionTurn reports whether turn (0-based) of env's episodes is an ungraded reflection.
func IsReflectionTurn(env Env, turn int) bool {
	r, ok := env.(ReflectionTurns)
	return ok && r.ReflectionTurn(turn)
}

// TurnTokenLimits is implemented by envs whose turns have their own generation budget (the
// reflection of the reflect-and-retry env).
type TurnTokenLimits interface {
	TurnMaxTokens(turn int) int // tokens the policy may generate at turn (0-based); 0 = the caller's limit
}

// TurnMaxTokens is env's own limit for turn, or def when env sets none.
func TurnMaxTokens(env Env, turn, def int) int {
	if l, ok := env.(TurnTokenLimits); ok {
		if n := l.TurnMaxTokens(turn); n > 0 {
			return n
		}
	}
	return def
}
