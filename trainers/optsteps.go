package trainers

// rlOptSteps estimates the optimiser steps of an RL run with turnsPerSample rows per sample (for
// the LR schedule): every step stores prompts_per_step * num_generations * turnsPerSample rows and
// makes num_iterations passes over them in mini-batches of mini_batch_size.
func rlOptSteps(cfg Config, turnsPerSample int) int {
	rows := cfg.PromptsPerStep * cfg.NumGenerations * turnsPerSample
	perIter := (rows + cfg.MiniBatchSize - 1) / cfg.MiniBatchSize
	return max(1, cfg.Steps*cfg.NumIterations*perIter)
}
