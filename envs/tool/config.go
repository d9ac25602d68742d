package tool

import (
	"fmt"

	"grit/envs"
	"grit/plugins"
)

// Config sets the tool env's task mix, turn budget and reference traces. The params of the same
// names (in snake case) override DefaultConfig.
type Config struct {
	HardFrac    float64  // hard_frac: share of hard tasks (0.5)
	MediumFrac  float64  // medium_frac: share of medium tasks (0); easy tasks take the rest
	EasyForms   []string // easy_forms: forms of easy tasks (["1+1", "2+1", "1+2"])
	MediumForms []string // medium_forms: forms of medium tasks (["2+2"])
	HardForms   []string // hard_forms: forms of hard tasks (["3*2", "3+3"])
	MaxTurns    int      // max_turns: policy turns per episode, calls and answer together (3)
	PCallEasy   float64  // p_call_easy: probability that a reference trace calls the tool on an easy task (0.8)
	PCallMedium float64  // p_call_medium: the same on a medium task (1); hard traces always call
	// ToolCallsComponent (tool_calls_component, false) adds a reward component
	// "metric_tool_calls" = calls so far on the last turn. Components weigh 1 unless the trainer's
	// reward_weights say otherwise, so give it weight 0 when enabling it.
	ToolCallsComponent bool
	Split              Split
}

// Split sets the held-out evaluation split.
type Split struct {
	Fraction float64 // held_out_fraction: share of the task space (by hash) reserved for evaluation (0.1)
	Size     int     // held_out_size: number of held-out tasks (200), split across levels by their shares
	Seed     uint64  // held_out_seed: seeds the held-out draw and salts the split hash (1)
}

// DefaultConfig is the env with no params.
func DefaultConfig() Config {
	return Config{
		HardFrac:    0.5,
		EasyForms:   []string{"1+1", "2+1", "1+2"},
		MediumForms: []string{"2+2"},
		HardForms:   []string{"3*2", "3+3"},
		MaxTurns:    3,
		PCallEasy:   0.8,
		PCallMedium: 1,
		Split:       Split{Fraction: 0.1, Size: 200, Seed: 1},
	}
}

func init() {
	envs.Register("tool", func(p envs.Params) (envs.Env, error) { return newFromParams(p) })
}

// newFromParams reads params over DefaultConfig; every error names its key.
func newFromParams(p envs.Params) (*Env, error) {
	d := DefaultConfig()
	a := plugins.NewArgs(p)
	cfg := Config{
		HardFrac:           a.Float("hard_frac", d.HardFrac),
		MediumFrac:         a.Float("medium_frac", d.MediumFrac),
		EasyForms:          a.Strings("easy_forms", d.EasyForms),
		MediumForms:        a.Strings("medium_forms", d.MediumForms),
		HardForms:          a.Strings("hard_forms", d.HardForms),
		MaxTurns:           a.Int("max_turns", d.MaxTurns),
		PCallEasy:          a.Float("p_call_easy", d.PCallEasy),
		PCallMedium:        a.Float("p_call_medium", d.PCallMedium),
		ToolCallsComponent: a.Bool("tool_calls_component", d.ToolCallsComponent),
	}
	cfg.Split.Fraction = a.Float("held_out_fraction", d.Split.Fraction)
	cfg.Split.Size = a.Int("held_out_size", d.Split.Size)
	seed := a.Int("held_out_seed", int(d.Split.Seed))
	if seed < 0 {
		a.Failf("held_out_seed", "must be >= 0, got %d", seed)
	}
	cfg.Split.Seed = uint64(seed)
	if err := a.Done(); err != nil {
		return nil, err
	}
	return New(cfg)
}

// validate checks cfg and parses its forms into levels.
func (cfg Config) validate() ([]level, error) {
	unit := func(key string, v float64) error {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("param %q must be in [0, 1], got %v", key, v)
		}
		return nil
	}
	for _, c := range []struct {
		key string
		v   float64
	}{{"hard_frac", cfg.HardFrac}, {"medium_frac", cfg.MediumFrac}, {"p_call_easy", cfg.PCallEasy}, {"p_call_medium", cfg.PCallMedium}} {
		if err := unit(c.key, c.v); err != nil {
			return nil, err
		}
	}
	if cfg.HardFrac+cfg.MediumFrac > 1+1e-12 {
		return nil, fmt.Errorf("param %q: hard_frac + medium_frac = %v exceeds 1; easy tasks take the rest, so lower one of them",
			"medium_frac", cfg.HardFrac+cfg.MediumFrac)
	}
	if cfg.MaxTurns < 1 {
		return nil, fmt.Errorf("param %q must be >= 1 (2 or more lets the policy call the tool and then answer), got %d", "max_turns", cfg.MaxTurns)
	}
	if !(cfg.Split.Fraction >= 0 && cfg.Split.Fraction <= 0.5) {
		return nil, fmt.Errorf("param %q must be in [0, 0.5], got %v", "held_out_fraction", cfg.Split.Fraction)
	}
	if cfg.Split.Size < 0 {
		return nil, fmt.Errorf("param %q must be >= 0, got %d", "held_out_size", cfg.Split.Size)
	}
	easyFrac := 1 - cfg.HardFrac - cfg.MediumFrac
	if easyFrac < 1e-12 {
		easyFrac = 0 // rounding noise, not a share
	}
	var levels []level
	for _, l := range []struct {
		key, name string
		frac      float64
		forms     []string
	}{{"easy_forms", Easy, easyFrac, cfg.EasyForms}, {"medium_forms", Medium, cfg.MediumFrac, cfg.MediumForms}, {"hard_forms", Hard, cfg.HardFrac, cfg.HardForms}} {
		if l.frac <= 0 {
			continue
		}
		if len(l.forms) == 0 {
			return nil, fmt.Errorf("param %q is empty but %s tasks have share %v; list forms such as \"2+1\" or set the share to 0",
				l.key, l.name, l.frac)
		}
		lv := level{name: l.name, frac: l.frac}
		for _, s := range l.forms {
			f, err := ParseForm(s)
			if err != nil {
				return nil, fmt.Errorf("param %q: %w", l.key, err)
			}
			lv.forms = append(lv.forms, f)
		}
		levels = append(levels, lv)
	}
	return levels, nil
}
