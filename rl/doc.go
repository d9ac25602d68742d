// Package rl is the mathematical core of grit: it turns rewards into advantages and per-token
// log-probabilities into a loss and its per-token gradient dL/dlogp. It knows nothing of models or
// tensors (docs/design.md, "The central idea"): a trainer gets logp (and entropy) per token from the
// policy, calls PolicyLoss, and hands LossResult.DLogp (and DEntropy) to the policy's Pass.Backward.
//
// The package has three parts:
//
//   - Rollout types (Sample, TurnTokens) and reward totals (TotalReward).
//   - Advantage estimators: GRPO with scale modes group/batch/none (Dr. GRPO), RLOO, and HDPO's
//     decoupled accuracy/efficiency pair (GroupAdvantages, HDPOGroupAdvantages, AssignAdvantages).
//   - Token losses with exact gradients (ClipToken, K3Token, NFTPositiveToken, NFTNegativeToken) and
//     the batch loss PolicyLoss with the aggregation modes grpo, bnpo, dr_grpo, dapo (and a constant
//     normaliser for NFT), plus batch helpers (dynamic sampling, overlong shaping, truncation and
//     top-entropy masks).
//
// Storage is package rl/store: a step's samples as an Arrow record, IPC step files and Parquet, and
// mini-batches read back from them. Package rl imports no Arrow; MiniBatch is plain slices
// (MiniBatchFromSamples builds one without storage).
//
// All arithmetic is float64; gradients are returned as float32 because that is what the policy takes.
// Nothing here is random (rl/store draws the mini-batch order from an explicit seed).
package rl
