// Package trainers holds grit's one training loop and the algorithms that run on it: grpo, score,
// nft, hdpo, and sft (supervised training that makes base policies).
//
// The loop draws prompts, samples a group of completions per prompt through the policy's sampler,
// plays them out in the env (one or several turns), scores them, computes advantages (package rl),
// stores the step's rollouts as an Arrow record batch, and runs num_iterations epochs of mini-batch
// updates. An algorithm differs only in how it turns scored trajectories into per-token loss
// gradients; trainers never differentiate anything themselves (policy.Pass.Backward does).
package trainers
