package trainers

import (
	"context"
	"fmt"
	"time"

	"grit/envs"
	"grit/policy"
)

// sft is supervised next-token training on an env's reference solutions; it makes base policies.
// Each step draws sft.batch_size training tasks and minimises the mean negative log-likelihood of
// the reference completion (and the tokenizer's EOS, the first of its EOS ids) given the prompt:
//
//	L = -(1/N) sum_b sum_t log pi(y_bt | x_b, y_b<t)
//
// For envs that write multi-turn traces (envs.Tracer), every turn of the trace is a trained
// sequence whose context holds the earlier turns and observations, exactly as the RL loop builds it
// (promptCodec: plain tokens or the chat template).
type sft struct{ t *trainer }

func (s *sft) needsReference() bool { return false }

func (s *sft) totalOptSteps() int { return max(1, s.t.cfg.Steps) }

// sftSequences builds the training sequences of one task.
func sftSequences(codec *promptCodec, env envs.Env, task envs.Task, ctxLen int, rngSeed uint64) ([]policy.Sequence, error) {
	conv, err := codec.start(task.Prompt)
	if err != nil {
		return nil, fmt.Errorf("task %q: %w", task.ID, err)
	}
	tracer, ok := env.(envs.Tracer)
	if !ok {
		if task.Solution == "" {
			return nil, fmt.Errorf("env %s gives no reference solution for task %q; sft needs Task.Solution or an env that writes traces", env.Name(), task.ID)
		}
		return []policy.Sequence{{Prompt: conv.ids, Completion: codec.target(task.Solution)}}, nil
	}
	trace, err := tracer.Trace(task, streamRNG(rngSeed, "trace"))
	if err != nil {
		return nil, err
	}
	var seqs []policy.Sequence
	for k, turn := range trace {
		completion := codec.target(turn.Completion)
		seqs = append(seqs, policy.Sequence{Prompt: conv.ids, Completion: completion})
		if k == len(trace)-1 {
			break
		}
		if conv, err = codec.extend(conv, completion, turn.Completion, turn.Observation); err != nil {
			return nil, fmt.Errorf("task %q: %w", task.ID, err)
		}
	}
	for _, s := range seqs {
		if len(s.Prompt)+len(s.Completion) > ctxLen {
			return nil, fmt.Errorf("task %q: trace needs %d tokens but the model's context is %d", task.ID, len(s.Prompt)+len(s.Completion), ctxLen)
		}
	}
	return seqs, nil
}

func (s *sft) step(ctx context.Context, step int, m Metrics) error {
	t := s.t
	start := time.Now()
	// 1. sample: sft.batch_size training tasks and their reference completions (x_b, y_b)
	tasks := t.env.Tasks().Train(t.cfg.SFT.BatchSize, streamRNG(t.cfg.Seed, "data", uint64(step)))
	codec, err := t.prompts()
	if err != nil {
		return err
	}
	var seqs []policy.Sequence
	for i, task := range tasks {
		ts, err := sftSequences(codec, t.env, task, t.pol.ContextLen(), streamSeed(t.cfg.Seed, "sft", uint64(step), uint64(i)))
		if err != nil {
			return err
		}
		seqs = append(seqs, ts...)
	}
	// 2. loss: L = -(1/N) sum_b sum_t log pi(y_bt | x_b, y_b<t), and its backward pass
	loss, backward, err := policy.CrossEntropy(t.pol, seqs)
	if err != nil {
		return err
	}
	t.pol.ZeroGrad()
	if err := backward(); err != nil {
		return err
	}
	// 3. update: clip the gradient norm to max_grad_norm, skip non-finite updates, AdamW step
	norm, ok := t.clippedStep(float64(loss))
	m[keyLoss] = float64(loss)
	m[keyGradNorm] = norm
	if !ok {
		m[keySkippedUpdates] = 1
	}
	m[keySequences] = float64(len(seqs))
	m[keyUpdateS] = time.Since(start).Seconds()
	return nil
}
