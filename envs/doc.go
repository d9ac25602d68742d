// Package envs holds grit's task environments: where problems come from (seeded generators
// and dataset files, each with a fixed train / held-out split) and how a policy's text is
// verified and turned into reward components, over one turn or several.
//
// Built-in envs register themselves by name in init (the database/sql driver pattern) and are
// built from a config's params with New; unknown or ill-typed params are errors that name the
// key and list the valid ones:
//
//	arithmetic  n-digit addition, subtraction, multiplication: prompt "12+34=", solution "46"
//	countdown   reach a target with given numbers and + - * / ( ): prompt "3 5 7>22:", solution "3*5+7"
//	dataset     JSONL or Parquet files with columns prompt, answer (GSM8K / MATH shape)
//	correction  a multi-turn wrapper: k attempts at any single-turn env, with a correction
//	            instruction (SCoRe's by default) and optional feedback between attempts
//
// An Episode is one task being played: each Step takes the policy's text for the turn and
// returns that turn's reward Result, an Observation the trainer appends to the context before
// the next turn (previous context + previous completion + observation), and whether the
// episode is over. Single-turn envs are Done after the first Step; a tool-use env returns tool
// output as the Observation and counts ToolCalls.
//
// Splits never overlap: a task belongs to the held-out split when a hash of its canonical form
// (for example "12+34" or "3,5,7>22") falls below the held-out fraction, so Train never draws
// a held-out task, whatever the seed.
package envs
