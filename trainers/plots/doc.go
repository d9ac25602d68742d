// Package plots draws a run's learning curves from its metrics.jsonl into DIR/plots as SVG:
// reward.svg (mean total reward per step) and accuracy.svg (training accuracy per step and held-out
// accuracy at each evaluation). It reads only the run folder, so anything (the trainer, the `train`
// command, a user after the fact) can redraw the plots of any run.
package plots
