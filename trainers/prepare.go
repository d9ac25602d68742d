package trainers

import (
	"fmt"
	"io"

	"grit/envs"
	"grit/tensor"
)

// Prepare checks everything a run of cfg needs without writing anything: the settings' ranges, the
// env and its env_args, the algorithm against the env, the starting policy (the init folder, or
// the model shape and tokenizer of a fresh model) and the learning-rate schedule. Every problem is
// a *ConfigError. `train --dry-run` calls it; Run does the same before it touches the run folder.
func Prepare(cfg Config) error {
	t, err := prepare(cfg, false)
	if err != nil {
		return err
	}
	t.close()
	return nil
}

// prepare builds the parts of a run that can fail on a bad config: the env, the algorithm, the
// optimizer and schedule, and (for a fresh run) the starting policy. The caller closes the trainer.
// A resumed run loads its policy from the checkpoint; its init folder is still checked when the
// algorithm needs the starting policy as a reference.
func prepare(cfg Config, resume bool) (*trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &ConfigError{err}
	}
	t := &trainer{cfg: cfg}
	var err error
	if t.env, err = envs.New(cfg.Env, cfg.EnvArgs); err != nil {
		return nil, &ConfigError{err}
	}
	if t.env, t.cfg, t.heldOutNote, err = fitHeldOut(cfg, t.env); err != nil {
		t.close()
		return nil, &ConfigError{err}
	}
	cfg = t.cfg
	if err := CheckRewardWeights(t.env, cfg.RewardWeights); err != nil {
		t.close()
		return nil, &ConfigError{err}
	}
	if t.algo, err = newAlgorithm(t); err != nil {
		t.close()
		return nil, &ConfigError{err}
	}
	t.opt = newOptimizer(cfg)
	t.sched = tensor.Schedule{Kind: cfg.LRSchedule, Base: float32(cfg.LR), Min: float32(cfg.MinLR),
		Warmup: cfg.WarmupSteps, Total: t.algo.totalOptSteps()}
	if err := t.sched.Validate(); err != nil {
		t.close()
		return nil, &ConfigError{fmt.Errorf("lr_schedule: %w", err)}
	}
	if !resume || t.algo.needsReference() {
		if t.pol, err = initPolicy(cfg); err != nil {
			t.close()
			return nil, &ConfigError{err}
		}
	}
	if t.tmpl, err = loadChatTemplate(cfg); err != nil {
		t.close()
		return nil, &ConfigError{err}
	}
	if t.pol != nil {
		if _, err := t.prompts(); err != nil {
			t.close()
			return nil, &ConfigError{err}
		}
	}
	return t, nil
}

// close releases what the env holds (plugin envs run processes).
func (t *trainer) close() { closeEnv(t.env) }

func closeEnv(env envs.Env) {
	if c, ok := env.(io.Closer); ok {
		c.Close()
	}
}
