package trainers

import "grit/trainers/plots"

// writePlots draws the run's reward and accuracy curves into DIR/plots.
var writePlots = plots.WriteRunPlots
