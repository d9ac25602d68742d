// Package rewards holds grit's verifiable reward functions: answer extraction (\boxed{...},
// GSM8K "#### n", <answer> tags, "Answer: ...", last number), exact answer equivalence
// (numbers compared as rationals with math/big.Rat, strings normalised otherwise), a
// think/answer format reward, length and efficiency measures, DAPO overlong shaping, and the
// composition of named components with weights.
//
// A reward function is a Func: it has a name and grades one Input. GradeAll runs a list of Funcs
// on one Input, recovers from panics, and returns a Result in which every component says
// whether it was computed and, if not, why. A failed component is never a silent 0.
//
// Built-in functions register themselves by name in init (the database/sql driver pattern):
//
//	correct     1 if the extracted answer equals the reference, else 0
//	format      1 if the completion is <think>...</think> <answer>...</answer>, else 0
//	length      the completion's length (chars, words or tokens)
//	efficiency  1/(1 + x/scale) for correct completions (x = length or tool calls), else 0
//	overlong    DAPO's soft overlong penalty
//
// Package envs registers one more, "countdown" (1 / 0.1 / 0 for the countdown game), as its
// expression verifier lives there. A plugin package adds its own with Register (FuncOf turns a
// plain function into a Func); configs select them by name with New, and Total weighs the
// computed components into one reward.
package rewards
