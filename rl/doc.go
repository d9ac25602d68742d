// Package rl is the mathematical core of grit: it turns rewards into advantages and per-token
// log-probabilities into a loss and its per-token gradient dL/dlogp. It knows nothing of models or
// tensors (docs/design.md, "The central idea"): a trainer gets logp (and entropy) per token from the
// policy, calls PolicyLoss, and hands LossResult.DLogp (and DEntropy) to the policy's Pass.Backward.
//
// The package has four parts:
//
//   - Rollout types (Sample, TurnTokens) and reward totals (TotalReward).
//   - Advantage estimators: GRPO with scale modes group/batch/none (Dr. GRPO), RLOO, and HDPO's
//     decoupled accuracy/efficiency pair (GroupAdvantages, HDPOGroupAdvantages, AssignAdvantages).
//   - Token losses with exact gradients (ClipToken, K3Token, NFTPositiveToken, NFTNegativeToken) and
//     the batch loss PolicyLoss with the aggregation modes grpo, bnpo, dr_grpo, dapo (and a constant
//     normaliser for NFT), plus batch helpers (dynamic sampling, overlong shaping, truncation and
//     top-entropy masks).
//   - The Arrow-backed rollout buffer: one Arrow record batch per step (StepRecord), written as an
//     Arrow IPC file (WriteStepFile / ReadStepFile), exported to Parquet (ExportParquet), and read back
//     as mini-batches whose token slices alias the Arrow buffers (Rollouts.MiniBatch).
//
// All arithmetic is float64; gradients are returned as float32 because that is what the policy takes.
// Nothing here is random except the mini-batch order, which comes from an explicit seed.
package rl
