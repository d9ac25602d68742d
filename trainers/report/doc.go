// Package report writes a run's report page: report.html (its CSS and JavaScript embedded; no
// network) with the run's curves and a rollout browser, and beside it the data it loads:
// report/metrics.js (one gritMetrics({...}) call per line of metrics.jsonl) and
// report/steps-NNNNNN.js (the rollouts of ten consecutive steps, one gritStep({...}) call each).
//
// Step data is loaded on demand by adding a <script src="report/steps-NNNNNN.js"> element, which
// browsers allow from file:// (unlike fetch), so the page opens straight from the run folder. Each
// step script calls gritStep(data) with the step's groups, samples, turns, per-token log-probs and
// reward components. A training run appends each step to its script right after storing the
// step's rollouts in rollouts/step-NNNNNN.arrow (StepWriter), appends each metrics line to
// report/metrics.js (MetricsWriter), and rewrites the small report.html at each evaluation
// (WritePage); `train view` decodes the Arrow step files of steps that have no script (WriteRun).
//
// Curves are drawn against the step of metrics.jsonl; a held-out evaluation is drawn where the policy
// it measured is (after s steps: at s when metrics.jsonl numbers steps from 1, at s+1 when it numbers
// them from 0), so the base evaluation is the first point, at 0.
package report
