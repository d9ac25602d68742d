// Package policy is the model a trainer talks to: a GPT-style decoder (GPT) implementing the Policy
// interface, a character tokenizer, a batched sampler with a KV cache, and safetensors checkpoints.
//
// Two paths compute the same function. Training (LogProbs, Forward, CrossEntropy) runs the whole padded
// batch through tensor's tape so that Pass.Backward can turn per-token gradients dL/dlogp into parameter
// gradients:
//
//	dL/dθ = Σ_b Σ_t dL/dlogp[b][t] · ∂logp[b][t]/∂θ  (+ the same with the entropy H[b][t]).
//
// Sampling runs a tape-free forward one position at a time with a per-sequence KV cache. Both paths
// agree to ~1e-6 on the recorded log-probabilities, so the logp_old a trainer records at sampling time
// is exact and needs no importance correction.
//
// Sequence layout: a sequence of L tokens feeds its first L-1 tokens to the model, and position t
// predicts token t+1; at most Context tokens are fed, so L <= Context+1 (nanoGPT's x/y convention).
package policy
