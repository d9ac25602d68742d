// Package trainers holds grit's one training loop and the algorithms that run on it: grpo, score,
// nft, hdpo, rrr, expert_iter (fine-tuning on the policy's own verified samples), and sft
// (supervised training that makes base policies).
//
// The loop draws prompts, samples a group of completions per prompt through the policy's sampler,
// plays them out in the env (one or several turns), grades them, computes advantages (package rl),
// stores the step's rollouts as an Arrow record batch, and runs num_iterations epochs of mini-batch
// updates. An algorithm differs only in how it turns graded trajectories into per-token loss
// gradients; trainers never differentiate anything themselves (policy.Pass.Backward does).
//
// # Reading one step
//
// Follow one GRPO step file by file; every algorithm file reads the same way (sample, grade,
// advantages, loss, update) with its paper's equations in its doc comment.
//
//   - loop.go: trainer.loop calls algo.step(step, m) once per step, then adds lr, evaluation
//     (eval.go) and diagnostics (diagnostics.go) to m and appends it to metrics.jsonl
//     (metricslog.go); checkpoints (checkpoint.go) at step boundaries. stop.go holds the stop
//     rules (target, patience, time budget) the loop checks after each step, and the run's clock
//     (elapsed_s, elapsed_total_s).
//   - grpo.go: the step itself: collectGroups, rolloutMetrics, advantages, maskTruncated, learn.
//     nft.go, hdpo.go, score.go, rrr.go, sft.go and expertiter.go are the other algorithms;
//     algorithm.go picks one.
//   - collect.go: collectGroups draws prompts_per_step tasks (seeds.go streams), plays
//     num_generations episodes each and, with dynamic sampling, redraws zero-variance groups.
//   - rollout.go: player.play generates turn by turn, batched across episodes, and asks the env to
//     grade each turn (and append tool output or feedback).
//   - remote.go: with RunOptions.Rollouts (rollout workers, package distrib) a round's groups are
//     played elsewhere; GroupPlayer plays one group exactly as the whole round would.
//   - samples.go: trajectorySample turns an episode into an rl.Sample; setSampleReward sums the
//     weighted reward components (and the overlong penalty). stepmetrics.go logs their statistics.
//   - rl.AssignAdvantages: group-relative advantages (and NFT's r_q, HDPO's efficiency channel);
//     losscfg.go maps the config onto rl's advantage and loss settings.
//   - learn.go: learnWeighted masks ungraded samples, records reference log-probs for the KL term
//     and turns per-sample loss / KL factors into per-row ones (rowweights.go).
//   - store.go: storeRollouts builds the step's record, the view the updates read mini-batches
//     from, and writes it to rollouts/step-NNNNNN.arrow as rollouts.every / keep_last say.
//   - update.go: num_iterations shuffled passes of mini_batch_size rows: policy forward,
//     rl.PolicyLoss (loss and dL/dlogp per token), policy Pass.Backward, gradient clipping and the
//     AdamW step (optsteps.go sizes the LR schedule); the step's loss statistics go into m.
//
// metrickeys.go names every metric key; docs/metrics.md explains each one per algorithm.
package trainers
