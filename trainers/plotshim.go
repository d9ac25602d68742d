package trainers

// writePlots draws the run's curves into DIR/plots (set by the plots wiring).
var writePlots = func(dir string) error { return nil }
