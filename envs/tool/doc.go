// Package tool is the multi-turn tool-use env "tool" (HDPO, docs/algorithms.md): arithmetic tasks of
// mixed difficulty that a policy may answer directly or after calling an exact calculator. Easy
// tasks (default forms 1+1, 2+1, 1+2 digits) are within a tiny model's reach; hard ones (3-digit
// times 2-digit, 3-digit plus 3-digit) are not, so a good policy calls the tool only where needed.
// Importing the package registers the env: envs.New("tool", params).
//
// Formats (compact, for character-level policies):
//
//	prompt       47*83=                 (Task.ID is the expression "47*83", Task.Answer "3901")
//	call         <calc>47*83</calc>     then EOS; any turn containing "<calc" or "calc>" is a call
//	observation  <r>3901</r>            appended to the context after the call and its EOS
//	error        <r>error</r>           malformed call, extra text, nested tags, or Eval error
//	answer       3901                   then EOS; any turn that is not a call is the answer
//
// The calculator (Eval, the calculator dialect of grit/envs/expr) parses integers, + - * /, unary
// minus and parentheses, and computes exactly with big.Rat under size limits (MaxExprLen,
// MaxLiteralLen, MaxDepth, MaxValueBits). Integer results are written in decimal; non-integer results as a reduced fraction "7/2" (so "7/2" is
// never rounded to 3 or shown as 3.5).
//
// An episode ends when the policy answers or after max_turns turns; a last allowed turn that is
// still a call ends it incorrect. Each turn's StepResult.ToolCalls is 1 for a call, 0 otherwise.
// Every turn's reward has the components
//
//	correct  1 when the last number of the answer equals Task.Answer exactly (0 on call turns)
//	format   1 when the answer is a bare canonical integer ("3901", "-12"), nothing else
//
// and Result.Correct is the verdict. HDPO's r_acc weighs these (e.g. correct 0.9, format 0.1);
// the trainer computes r_eff = 1/(T+1) itself from ToolCalls. The optional component
// metric_tool_calls (param tool_calls_component) counts calls so far and must get weight 0.
//
// Train and HeldOut are disjoint by an FNV hash of the canonical expression; Trace (envs.Tracer)
// writes SFT traces of a base policy that over-uses the tool (p_call_easy of easy tasks, all hard
// ones). Params and defaults: see Config.
package tool
