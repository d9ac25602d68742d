package trainers

import (
	"fmt"
	"net"
)

// WorkersConfig is the workers: section: rollout sampling on worker processes over NATS JetStream
// (package distrib; `train worker` is the worker side).
type WorkersConfig struct {
	Enabled      bool    `mapstructure:"enabled"`       // sample on workers; false = this process samples
	URL          string  `mapstructure:"url"`           // nats://host:port of a NATS server with JetStream; "" = embed one
	Listen       string  `mapstructure:"listen"`        // host:port the embedded server listens on (loopback unless told)
	User         string  `mapstructure:"user"`          // user name for the server (with password)
	Password     Secret  `mapstructure:"password"`      // password for user; never written to config.yaml
	Token        Secret  `mapstructure:"token"`         // token auth instead of user/password; never written to config.yaml
	Local        bool    `mapstructure:"local"`         // the learner samples itself when no worker answers within wait_s
	WaitS        float64 `mapstructure:"wait_s"`        // seconds without a result before the learner samples locally or says it waits
	AckWaitS     float64 `mapstructure:"ack_wait_s"`    // seconds a worker may hold a task without progress before it is redelivered
	WeightsDType string  `mapstructure:"weights_dtype"` // policy weights on the wire: f32 (exact) or bf16 (half the bytes; asynchronous runs only)
	MaxStaleness int     `mapstructure:"max_staleness"` // policy versions a sample may lag; 0 = synchronous (bit-identical), k > 0 = tasks of up to k steps ahead are issued early
}

// Values of workers.weights_dtype.
const (
	WeightsF32  = "f32"
	WeightsBF16 = "bf16"
)

// Secret is a credential read from the config or the environment (GRIT_WORKERS_PASSWORD,
// GRIT_WORKERS_TOKEN). It is redacted wherever the config is written or printed.
type Secret string

// Redacted is what config.yaml and logs show for a set secret.
const Redacted = "<redacted>"

// MarshalYAML writes a set secret as Redacted, an unset one as "".
func (s Secret) MarshalYAML() (any, error) {
	if s == "" {
		return "", nil
	}
	return Redacted, nil
}

// String never shows the secret (fmt's %v and %s).
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString never shows the secret (fmt's %#v).
func (s Secret) GoString() string { return fmt.Sprintf("%q", s.String()) }

// Reveal is the secret itself, for the connection only.
func (s Secret) Reveal() string { return string(s) }

// CheckSecrets rejects the placeholder config.yaml writes in place of a credential (a resumed
// run's config): the real one must come from the environment.
func (w WorkersConfig) CheckSecrets() error {
	if w.Password == Redacted || w.Token == Redacted {
		return fmt.Errorf("workers.password / workers.token: %q is the placeholder config.yaml writes, not a credential; set GRIT_WORKERS_PASSWORD / GRIT_WORKERS_TOKEN", Redacted)
	}
	return nil
}

// validateWorkers checks the workers: section.
func (c *Config) validateWorkers() error {
	w := c.Workers
	if !w.Enabled {
		return nil
	}
	switch c.Algo {
	case AlgoSFT:
		return fmt.Errorf("workers.enabled: sft samples no rollouts; set workers.enabled: false")
	case AlgoRRR, AlgoExpertIter:
		// rrr plays reflect-and-retry episodes on a wrapped env and expert_iter samples at each
		// iteration's own temperature (and a probe batch): neither goes through the rounds that
		// workers play, so they would sample on the learner while the config says otherwise.
		return fmt.Errorf("workers.enabled: rollout workers play grpo, nft, hdpo and score steps; algo %s samples on the learner only; set workers.enabled: false", c.Algo)
	}
	if w.URL == "" {
		if _, _, err := net.SplitHostPort(w.Listen); err != nil {
			return fmt.Errorf("workers.listen: %q is not host:port (%v); e.g. 127.0.0.1:4222", w.Listen, err)
		}
	}
	checks := []struct {
		ok  bool
		msg string
	}{
		{(w.User == "") == (w.Password == ""), "workers.user / workers.password: set both or neither"},
		{w.Token == "" || w.User == "", "workers.token: use either a token or workers.user/workers.password, not both"},
		{w.WaitS > 0, "workers.wait_s: must be > 0 seconds"},
		{w.AckWaitS > 0, "workers.ack_wait_s: must be > 0 seconds"},
		{w.MaxStaleness >= 0, "workers.max_staleness: must be >= 0"},
		{w.MaxStaleness == 0 || asyncAlgo(c.Algo), "workers.max_staleness: asynchronous sampling (> 0) is implemented for algos grpo, nft and hdpo only; set workers.max_staleness: 0"},
		{w.WeightsDType == WeightsF32 || w.WeightsDType == WeightsBF16, fmt.Sprintf("workers.weights_dtype: %q is not f32 or bf16", w.WeightsDType)},
		{w.WeightsDType != WeightsBF16 || w.MaxStaleness > 0, "workers.weights_dtype: bf16 makes workers sample from rounded weights, so a synchronous run would no longer match one process; use it with workers.max_staleness > 0, or set workers.weights_dtype: f32"},
		{c.MaxResampleRounds < 256, "max_resample_rounds: must be < 256 with workers (task ids carry the round in 8 bits)"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("%s", ch.msg)
		}
	}
	return nil
}

// asyncAlgo reports whether algo can learn from asynchronous (stale) samples: its step is one
// round of collectGroups and one learn whose ratio takes the sampler's recorded log-probs as the
// behaviour policy (grpo; nft's R_t and r_q are defined against that policy too; hdpo is grpo with
// a second advantage). score's two attempts and Stage I, rrr's replayed first attempts and
// expert_iter's filtering have no such correction.
func asyncAlgo(algo Algorithm) bool {
	return algo == AlgoGRPO || algo == AlgoNFT || algo == AlgoHDPO
}
