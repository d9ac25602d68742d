// Package plots draws a run's learning curves from its metrics.jsonl into DIR/plots as SVG:
// reward.svg (mean total reward and each component's mean, for runs that sample), accuracy.svg
// (training accuracy per step and held-out accuracy at each evaluation), loss.svg, kl.svg,
// entropy.svg and length.svg (completion length, and held-out length at each evaluation); a
// chart whose metric the run never logged is not drawn. Held-out series start with the base
// evaluation (summary.json or the checkpoint state) at step 0, and every evaluation where the policy
// it measured is: after s steps for metrics.jsonl numbering steps from 1, s+1 for numbering from 0.
// Legends sit to the right of the data.
// It reads only the run folder, so anything (the trainer, the `train` command, a user after the
// fact) can redraw the plots of any run.
package plots
