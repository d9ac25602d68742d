package trainers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ExpertIterConfig drives expert iteration (algo expert_iter): sample, keep the verified samples,
// fine-tune on them with the SFT loss; B-STaR's monitors and optional temperature search.
type ExpertIterConfig struct {
	Restart         ExpertRestart `mapstructure:"restart"`          // continue (keep training the policy) | base (ReST-EM: fine-tune the starting policy anew each iteration)
	Epochs          int           `mapstructure:"epochs"`           // passes over the iteration's selected samples
	Select          ExpertSelect  `mapstructure:"select"`           // correct (the verifier's verdict) | reward (total reward >= threshold)
	Threshold       float64       `mapstructure:"threshold"`        // select: reward keeps samples with reward >= threshold
	BalanceNStar    int           `mapstructure:"balance_n_star"`   // n*: distinct correct samples per prompt that count as enough exploration
	AutoTemperature bool          `mapstructure:"auto_temperature"` // pick each iteration's temperature (and threshold) by the probe's balance score
	Temperatures    NumberGrid    `mapstructure:"temperatures"`     // temperature grid of the probe (YAML list or "0.5,1")
	Thresholds      NumberGrid    `mapstructure:"thresholds"`       // threshold grid (select: reward); empty = threshold alone
	ProbePrompts    int           `mapstructure:"probe_prompts"`    // prompts in each iteration's probe batch
}

// NumberGrid is a config value holding a list of numbers: in YAML a list (`[0.5, 1]`) or a
// comma-separated string (`"0.5,1"`, the form --set and GRIT_* variables use). The loader stores
// both as the comma-separated string.
type NumberGrid string

// ExpertRestart is where an iteration's fine-tuning starts (config key expert_iter.restart).
type ExpertRestart string

const (
	ExpertContinue ExpertRestart = "continue" // from the current policy (online / STaR-style continued training)
	ExpertBase     ExpertRestart = "base"     // from the starting policy, with a fresh optimizer (ReST-EM)
)

// ExpertSelect is which samples an iteration trains on (config key expert_iter.select).
type ExpertSelect string

const (
	SelectCorrect ExpertSelect = "correct" // the verifier's verdict (rl.Sample.Correct)
	SelectReward  ExpertSelect = "reward"  // total reward >= expert_iter.threshold
)

// The values of the enumerated expert_iter keys, in the order error messages list them.
var (
	ExpertRestarts = []ExpertRestart{ExpertContinue, ExpertBase}
	ExpertSelects  = []ExpertSelect{SelectCorrect, SelectReward}
)

// parseGrid reads a comma-separated list of numbers (config key key); "" is an empty list.
func parseGrid(key string, g NumberGrid) ([]float64, error) {
	s := string(g)
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: %q is not a finite number; write the grid as comma-separated numbers, e.g. \"0.5,0.75,1\"", key, strings.TrimSpace(f))
		}
		out = append(out, v)
	}
	return out, nil
}

// temperatureGrid is expert_iter.temperatures parsed.
func (c ExpertIterConfig) temperatureGrid() ([]float64, error) {
	return parseGrid("expert_iter.temperatures", c.Temperatures)
}

// thresholdGrid is expert_iter.thresholds parsed, or [threshold] when it is empty.
func (c ExpertIterConfig) thresholdGrid() ([]float64, error) {
	g, err := parseGrid("expert_iter.thresholds", c.Thresholds)
	if err != nil || len(g) > 0 {
		return g, err
	}
	return []float64{c.Threshold}, nil
}

// validateExpertIter checks the expert_iter section and the shared keys expert iteration cannot use.
func (c *Config) validateExpertIter() error {
	e := c.ExpertIter
	if err := oneOf("expert_iter.restart", e.Restart, ExpertRestarts...); err != nil {
		return err
	}
	if err := oneOf("expert_iter.select", e.Select, ExpertSelects...); err != nil {
		return err
	}
	switch {
	case e.Epochs < 1:
		return fmt.Errorf("expert_iter.epochs: %d must be >= 1 (passes over each iteration's selected samples)", e.Epochs)
	case e.BalanceNStar < 1:
		return fmt.Errorf("expert_iter.balance_n_star: %d must be >= 1 (n*, the distinct correct samples per prompt that count as enough)", e.BalanceNStar)
	case e.ProbePrompts < 1:
		return fmt.Errorf("expert_iter.probe_prompts: %d must be >= 1", e.ProbePrompts)
	case math.IsNaN(e.Threshold) || math.IsInf(e.Threshold, 0):
		return fmt.Errorf("expert_iter.threshold: %g must be a finite number", e.Threshold)
	case c.Beta != 0:
		return fmt.Errorf("beta: %g, but expert_iter trains with the SFT loss and has no KL term; set beta: 0", c.Beta)
	case c.DynamicSampling:
		return fmt.Errorf("dynamic_sampling: expert_iter keeps every group (all-correct groups are training data); set dynamic_sampling: false")
	case e.Thresholds != "" && e.Select != SelectReward:
		return fmt.Errorf("expert_iter.thresholds: a threshold grid needs expert_iter.select: reward (select: correct keeps the verifier's verdict); set select: reward or remove thresholds")
	}
	temps, err := e.temperatureGrid()
	if err != nil {
		return err
	}
	if _, err := e.thresholdGrid(); err != nil {
		return err
	}
	for _, v := range temps {
		if v <= 0 {
			return fmt.Errorf("expert_iter.temperatures: %g must be > 0 (sampling at temperature 0 is greedy: every sample of a prompt is the same)", v)
		}
	}
	if e.AutoTemperature && len(temps) == 0 {
		return fmt.Errorf("expert_iter.temperatures: empty, but expert_iter.auto_temperature is true; give the grid to search, e.g. \"0.5,0.75,1,1.25\"")
	}
	if !e.AutoTemperature && c.Temperature <= 0 {
		return fmt.Errorf("temperature: %g; expert_iter samples num_generations solutions per prompt and needs temperature > 0 (greedy samples are all the same)", c.Temperature)
	}
	return nil
}
