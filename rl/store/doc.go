// Package store keeps a run's rollouts on disk in Arrow: one Arrow record batch per training step
// (StepRecord, one row per turn; the columns are listed at RolloutSchema), written as an Arrow IPC
// file (WriteStepFile / ReadStepFile, checked against corrupted or foreign files before Arrow reads
// them), merged into one Parquet file (ExportParquet / ReadParquet), and decoded back into
// []rl.Sample (RecordSamples). The readers also take files of the older schema version 1 (no
// policy_version column; read as -1, unknown) and refuse newer versions.
//
// It converts between package rl's plain types and Arrow: Rollouts is a validated view of one
// step's record whose MiniBatch method returns an rl.MiniBatch with token and log-prob slices that
// alias the record's buffers (no copy), and whose Schedule draws the mini-batch order from a seed.
// Package rl, the maths, imports no Arrow.
package store
