package trainers

import "fmt"

// The keys of metrics.jsonl, grouped by the code that writes them. docs/metrics.md explains each
// (meaning, unit, which algorithms log it); TestMetricKeysDocumented keeps it in step with what
// runs actually write. Timing keys end in _s or _per_s (IsTimingKey).

// Loop (loop.go): one per step, every algorithm.
const (
	keyStep                = "step"                  // 1-based step number
	keyLR                  = "lr"                    // learning rate after the step's updates
	keySkippedUpdatesTotal = "skipped_updates_total" // non-finite updates skipped so far in the run
	keyStepS               = "step_s"                // wall time of the whole step
	keyEvalS               = "eval_s"                // wall time of the step's evaluation
	keyElapsedS            = "elapsed_s"             // wall time since this process started the run (a resume restarts it)
	keyElapsedTotalS       = "elapsed_total_s"       // elapsed_s plus the run's time before it was resumed
	evalKeyPrefix          = "eval_"                 // prefix of the held-out evaluation's keys
)

// Sampling (collect.go).
const (
	keyGroups        = "groups"           // prompt groups kept for the update
	keyGroupsDropped = "groups_dropped"   // zero-variance groups dropped by dynamic sampling
	keySampleS       = "sample_s"         // wall time of generation
	keyGradeS        = "score_s"          // wall time of grading completions in the env (the key keeps its name)
	keyGenTokens     = "gen_tokens"       // tokens generated in the step
	keyGenTokensPerS = "gen_tokens_per_s" // generation throughput
)

// Rollout statistics (stepmetrics.go), over every sampled completion before filtering.
const (
	keyRewardMean        = "reward_mean"         // mean total reward of the graded samples
	keyRewardStd         = "reward_std"          // population std of the total reward
	keySamples           = "samples"             // completions sampled
	keySamplesExcluded   = "samples_excluded"    // samples without any computed reward component
	keyAccuracy          = "accuracy"            // correct / graded samples
	keyCompletionLenMean = "completion_len_mean" // mean completion length in tokens
	keyTruncatedFrac     = "truncated_frac"      // fraction of completions cut at max_new_tokens
	keyToolCallsMean     = "tool_calls_mean"     // mean tool calls per sample
)

// rewardComponentKey is the key of statistic stat (mean, std, missing) of reward component name:
// reward/<name>_<stat>.
func rewardComponentKey(name, stat string) string { return "reward/" + name + "_" + stat }

// Update (update.go; sft.go writes loss, grad_norm, skipped_updates and update_s too).
const (
	keyUpdates        = "updates"         // optimiser steps taken in the step
	keySkippedUpdates = "skipped_updates" // updates skipped for a non-finite loss or gradient
	keyLoss           = "loss"            // mean loss over the step's updates
	keyLossEff        = "loss_eff"        // mean HDPO efficiency-channel loss
	keyGradNorm       = "grad_norm"       // mean gradient norm before clipping
	keyKL             = "kl"              // token-weighted mean k3 KL to the reference
	keyEntropy        = "entropy"         // token-weighted mean policy entropy
	keyClipFracLow    = "clip_frac_low"   // fraction of tokens clipped at 1 - eps_low
	keyClipFracHigh   = "clip_frac_high"  // fraction of tokens clipped at 1 + eps_high
	keyClipFrac       = "clip_frac"       // fraction of tokens clipped (low, high or dual)
	keyRatioMean      = "ratio_mean"      // token-weighted mean ratio pi / pi_old
	keyLossTokens     = "loss_tokens"     // tokens that entered the loss, over all updates
	keyUpdateS        = "update_s"        // wall time of the updates
)

// Algorithm-specific keys.
const (
	keyZeroStdGroups        = "zero_std_groups"        // grpo: groups whose rewards are all equal
	keyMaskedTruncated      = "masked_truncated"       // mask_truncated: samples masked for truncation
	keyGroupsUninformative  = "groups_uninformative"   // nft: groups with accuracy 0 or 1, left out
	keyEffQualifyingFrac    = "eff_qualifying_frac"    // hdpo: fraction of samples in an efficiency set
	keyStage                = "stage"                  // score: 1 (Stage I) or 2 (Stage II)
	keySequences            = "sequences"              // sft: training sequences in the step
	keyFirstAttemptAccuracy = "first_attempt_accuracy" // rrr: episodes right at the first attempt
	keyAfterRetryAccuracy   = "after_retry_accuracy"   // rrr: episodes right after the retry (or at once)
	keyFailedFirstAttempts  = "failed_first_attempts"  // rrr: episodes whose first attempt was wrong
	keyRetrySuccessRate     = "retry_success_rate"     // rrr: right retries / failed first attempts
	keyReflectionLenMean    = "reflection_len_mean"    // rrr: generated tokens per reflection
)

// Expert iteration (expertiter.go, expertmonitors.go, expertprobe.go).
const (
	keyPassAtK            = "pass_at_k"             // expert_iter: share of the sampled prompts with a correct sample among K
	keyDistinctCorrect    = "distinct_correct_mean" // expert_iter: distinct correct samples per sampled prompt
	keySelected           = "selected"              // expert_iter: samples kept for fine-tuning
	keySelectionPrecision = "selection_precision"   // expert_iter: share of the kept samples that are correct
	keyBalance            = "balance"               // expert_iter: B-STaR's balance score of the sampled batch
	keyTemperature        = "temperature"           // expert_iter: sampling temperature of the iteration
	keySelectThreshold    = "select_threshold"      // expert_iter select: reward: the iteration's reward threshold
	probeBalancePrefix    = "probe_balance/"        // expert_iter auto_temperature: balance of each grid point
	keyProbeGenTokens     = "probe_gen_tokens"      // expert_iter auto_temperature: tokens the probe generated
)

// attemptRewardKey is SCoRe's mean reward of attempt j (1-based): reward_t<j>_mean.
func attemptRewardKey(j int) string { return fmt.Sprintf("reward_t%d_mean", j) }

// Diagnostics (diagnostics.go).
const (
	keyDatasetSkippedRows = "dataset_skipped_rows" // dataset rows skipped (on_error: skip)
	keyPluginCalls        = "plugin_calls"         // env plugin calls in the step
	keyPluginFailed       = "plugin_failed"        // plugin calls that failed
	keyPluginTimeouts     = "plugin_timeouts"      // plugin calls that timed out
	keyPluginRestarts     = "plugin_restarts"      // plugin processes restarted
)

// Evaluation (eval.go): EvalMetrics keys; metrics.jsonl has them with the prefix eval_.
const (
	evalTasks         = "tasks"           // held-out tasks evaluated
	evalFailedKey     = "failed"          // episodes that could not be graded
	evalLengthMean    = "length_mean"     // mean generated tokens per episode
	evalTokensMean    = "tokens_mean"     // same as length_mean
	evalToolCallsMean = "tool_calls_mean" // mean tool calls per episode
	evalAccuracy      = "accuracy"        // greedy accuracy over the graded episodes
	evalDeltaT1T2     = "delta_t1_t2"     // multi-attempt: acc_t2 - acc_t1
	evalDeltaIToC     = "delta_i_to_c"    // multi-attempt: fraction wrong at t1, right at t2
	evalDeltaCToI     = "delta_c_to_i"    // multi-attempt: fraction right at t1, wrong at t2
	evalRetrySuccess  = "retry_success"   // reflect-and-retry: right retries / wrong first attempts
)

// evalKey is the metrics.jsonl key of evaluation key k: eval_<k>.
func evalKey(k string) string { return evalKeyPrefix + k }

// evalAttemptAccKey is the greedy accuracy of attempt j (1-based): acc_t<j>.
func evalAttemptAccKey(j int) string { return fmt.Sprintf("acc_t%d", j) }

// evalDifficultyKey is statistic stat (accuracy, tasks, tool_calls_mean) over the tasks of one
// difficulty: <stat>/<difficulty>.
func evalDifficultyKey(stat, difficulty string) string { return stat + "/" + difficulty }

// passAtKKey is the pass@k estimate (suffix "") or its failed-task count (suffix "_failed").
func passAtKKey(k int, suffix string) string { return fmt.Sprintf("pass@%d%s", k, suffix) }

// Rollout workers (package distrib; only with workers.enabled). Not part of a single-process run:
// they count what happened on the wire, not what was learned.
const (
	keyWorkerTasks      = "workers/tasks"           // group tasks published (reissues after a rejection included)
	keyWorkerRedeliver  = "workers/redelivered"     // accepted results of tasks JetStream delivered more than once
	keyWorkerDuplicates = "workers/duplicates"      // results dropped: a second result of a done task, or one of an earlier learner
	keyWorkerRejected   = "workers/rejected"        // results rejected as malformed (schema, rows, task mismatch); the task was reissued
	keyWorkerLocal      = "workers/local"           // groups the learner played itself (workers.local)
	keyWorkerCount      = "workers/count"           // distinct workers whose results were accepted
	keyWorkerLagMax     = "workers/policy_lag_max"  // largest (step's policy version - result's policy version)
	keyWorkerTokPerS    = "workers/tokens_per_s"    // accepted tokens / summed worker sampling seconds
	keyWorkerLagMean    = "workers/policy_lag_mean" // mean lag of the step's groups, in policy versions
	// mean |logp_train - logp_sample| over the first epoch's tokens (workers.max_staleness > 0 only)
	keyWorkerLogpMismatch = "workers/logp_mismatch"
)

// Exported names of the workers/ keys for package distrib.
const (
	KeyWorkerTasks      = keyWorkerTasks
	KeyWorkerRedeliver  = keyWorkerRedeliver
	KeyWorkerDuplicates = keyWorkerDuplicates
	KeyWorkerRejected   = keyWorkerRejected
	KeyWorkerLocal      = keyWorkerLocal
	KeyWorkerCount      = keyWorkerCount
	KeyWorkerLagMax     = keyWorkerLagMax
	KeyWorkerTokPerS    = keyWorkerTokPerS
	KeyWorkerLagMean    = keyWorkerLagMean
)

// WorkerTokPerSKey is the per-worker throughput key of worker id.
func WorkerTokPerSKey(id string) string { return "workers/" + id + "/tokens_per_s" }
