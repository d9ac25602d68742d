// Package distrib runs a training run's rollout sampling on worker processes over NATS JetStream.
//
// The learner (a trainers.RolloutSource) publishes one task per prompt group of a step on a
// work-queue stream (tasks.go), the policy version the step samples from as one object in an
// Object Store bucket (policystore.go; after the first version encoded from memory,
// weightslayout.go), and collects each group's trajectories from a results stream as an Arrow IPC
// record batch (result.go). Workers (worker.go, `train worker`) download each version as it
// appears (prefetch.go) and load it into the policy they hold (workerpolicy.go), pull their share
// of a round's tasks with explicit ack, play those groups in one sampler call with exactly the
// seeds the single process uses (trainers.GroupPlayer) and publish those groups' results in one
// message (resultbatch.go). The learner orders results by task id, drops duplicates and rejects
// malformed results (learner.go), so a synchronous run is bit-identical to a single process.
// Synchronous, the learner issues round 0 of step s+1 as soon as step s's rollouts are collected,
// naming version s+1; workers hold those tasks during the update and wait for the version, which
// the learner pushes to them as one plain NATS message right after the update when it fits in
// one (push.go; checked with a CRC-32C) and then puts in the bucket (prefetch.go takes either;
// one request for a version of one chunk, directget.go).
// Asynchronous (workers.max_staleness k > 0): the learner also issues round 0 of the next k steps,
// naming the newest policy version, and keeps the last k+1 versions (learner.go); with
// workers.weights_dtype bf16 the versions travel rounded to bfloat16 (bf16.go).
//
// Files: server.go (embedded server), conn.go (connection, streams, consumers), tasks.go,
// result.go, resultbatch.go, policystore.go, weightslayout.go, f32bytes.go, bf16.go, learner.go, worker.go,
// workerpolicy.go, push.go, prefetch.go, directget.go, pubasync.go (publishing several messages, one wait),
// stats.go (per-step metrics).
package distrib
