package tool

// Budget is the length, in characters (= tokens of a character-level tokenizer), of the longest
// reference trace the env can write, to size a model's context and max_new_tokens.
type Budget struct {
	Prompt      int // longest prompt ("999*99=")
	Call        int // longest calculator call ("<calc>999*99</calc>")
	Observation int // longest observation ("<r>98901</r>")
	Answer      int // longest answer ("98901")
	Completion  int // longest single turn, with its EOS: max(Call, Answer) + 1
	Trace       int // longest call-then-answer trace: BOS + prompt + call + EOS + observation + answer + EOS
	// Episode is the longest episode whose every call is a canonical one (like the trace's) and
	// which uses all max_turns: BOS + prompt + (max_turns-1)*(call + EOS + observation) + answer + EOS.
	Episode int
}

// TraceBudget computes the Budget over every form the env can draw, from the largest operands;
// Trace and Episode are the maxima over forms of the whole sequence, not sums of the maxima.
func (e *Env) TraceBudget() Budget {
	var b Budget
	for _, l := range e.tasks.levels {
		for _, f := range l.forms {
			expr := f.DigitsA + 1 + f.DigitsB
			answer := f.maxAnswerLen()
			b.Prompt = max(b.Prompt, expr+1)
			b.Call = max(b.Call, len(CallOpen)+expr+len(CallClose))
			b.Observation = max(b.Observation, len(ResultOpen)+answer+len(ResultClose))
			b.Answer = max(b.Answer, answer)
			call, obs := len(CallOpen)+expr+len(CallClose), len(ResultOpen)+answer+len(ResultClose)
			b.Trace = max(b.Trace, 1+(expr+1)+call+1+obs+answer+1)
			b.Episode = max(b.Episode, 1+(expr+1)+(e.cfg.MaxTurns-1)*(call+1+obs)+answer+1)
		}
	}
	b.Completion = max(b.Call, b.Answer) + 1
	return b
}
