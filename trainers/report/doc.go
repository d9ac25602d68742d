// Package report writes a run's report page: report.html, one self-contained HTML file (its CSS and
// JavaScript are embedded; no network) with the run's curves, plus report/step-NNNNNN.js beside it,
// one small script per training step holding that step's rollouts for the rollout browser.
//
// Step data is loaded on demand by adding a <script src="report/step-NNNNNN.js"> element, which
// browsers allow from file:// (unlike fetch), so the page opens straight from the run folder. Each
// step script calls gritStep(data) with the step's groups, samples, turns, per-token log-probs and
// reward components. A training run writes it from the step's samples right after storing them in
// rollouts/step-NNNNNN.arrow (WriteStepScript) and rewrites report.html at each evaluation
// (WritePage); `train view` decodes the Arrow step files of steps that have no script (WriteRun).
//
// The x axis of every curve is the number of policy updates (training steps) done before the
// measurement: a training metric logged at step s was measured on rollouts of the policy after s
// steps (x = s); a held-out evaluation logged at step s evaluated the policy after the step (x = s+1);
// the base evaluation is the first point (x = 0).
package report
