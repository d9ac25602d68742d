// Command train runs grit's trainers: `train --algo grpo --config configs/grpo.yaml`, resumes
// interrupted runs (`train --resume DIR`) and evaluates checkpoints (`train eval`).
//
// With no arguments it runs GRPO from the built-in defaults (equal to configs/grpo.yaml) on the
// default arithmetic task, from the shipped base policy.
package main
