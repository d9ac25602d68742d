package envs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

// CountdownConfig sets the countdown env's task distribution.
type CountdownConfig struct {
	CountMin    int     // fewest numbers per task (3)
	CountMax    int     // most numbers per task (3, at most 6)
	ValueMax    int     // numbers are drawn from 1..ValueMax (10)
	TargetMax   int     // targets lie in 1..TargetMax (100)
	Template    string  // prompt with {numbers} (space-separated) and {target} ("{numbers}>{target}:")
	FormatValue float64 // reward of a well-formed but wrong expression (0.1; env_args key format_score)
}

// Countdown is the countdown env: reach the target using each number exactly once with + - * /
// and parentheses. Targets come from a random expression over the drawn numbers with integer
// intermediate values, so every task is solvable; Task.Solution is the first solution a fixed
// search finds ("3*5+7" for "3 5 7>22:"). Meta carries numbers, target, count and difficulty
// ("n3").
type Countdown struct {
	cfg    CountdownConfig
	verify CountdownReward
	tasks  *generatedSource
}

func newCountdown(p Params) (Env, error) {
	a := plugins.NewArgs(p)
	cfg := CountdownConfig{
		CountMin:    a.Int("count_min", 3),
		CountMax:    a.Int("count_max", 3),
		ValueMax:    a.Int("value_max", 10),
		TargetMax:   a.Int("target_max", 100),
		Template:    a.String("template", "{numbers}>{target}:"),
		FormatValue: a.Float("format_score", 0.1),
	}
	split := readSplitParams(a)
	if err := a.Done(); err != nil {
		return nil, err
	}
	return NewCountdown(cfg, split.fraction, split.size, split.seed)
}

// NewCountdown builds the env; heldOutFraction of the task space (by hash of the sorted numbers
// and target) is reserved for the heldOutSize evaluation tasks generated from heldOutSeed.
func NewCountdown(cfg CountdownConfig, heldOutFraction float64, heldOutSize int, heldOutSeed uint64) (*Countdown, error) {
	if cfg.CountMin < 2 || cfg.CountMax < cfg.CountMin || cfg.CountMax > maxCountdownNumbers {
		return nil, fmt.Errorf("count_min and count_max must satisfy 2 <= count_min <= count_max <= %d, got %d and %d",
			maxCountdownNumbers, cfg.CountMin, cfg.CountMax)
	}
	if cfg.ValueMax < 1 || cfg.ValueMax > 1_000_000 {
		return nil, fmt.Errorf("value_max must be in [1, 1000000], got %d", cfg.ValueMax)
	}
	if cfg.TargetMax < 1 {
		return nil, fmt.Errorf("target_max must be >= 1, got %d", cfg.TargetMax)
	}
	if !strings.Contains(cfg.Template, "{numbers}") || !strings.Contains(cfg.Template, "{target}") {
		return nil, fmt.Errorf("template %q must contain {numbers} and {target}", cfg.Template)
	}
	env := &Countdown{cfg: cfg, verify: CountdownReward{Label: "countdown", FormatValue: cfg.FormatValue}}
	env.tasks = newGeneratedSource(env.generate, splitParams{fraction: heldOutFraction, size: heldOutSize, seed: heldOutSeed})
	return env, nil
}

// generate draws numbers and a reachable target.
func (e *Countdown) generate(rng *rand.Rand) Task {
	count := e.cfg.CountMin + rng.IntN(e.cfg.CountMax-e.cfg.CountMin+1)
	numbers := make([]int64, count)
	// Bounded: a config whose target range is (nearly) unreachable falls back to the all-ones
	// problem, 1*1*...*1 = 1, instead of looping forever.
	for round := 0; round < 10_000; round++ {
		for i := range numbers {
			numbers[i] = 1 + rng.Int64N(int64(e.cfg.ValueMax))
		}
		for range 20 {
			if target, ok := randomTarget(rng, numbers); ok && target >= 1 && target <= int64(e.cfg.TargetMax) {
				return e.task(numbers, target)
			}
		}
	}
	for i := range numbers {
		numbers[i] = 1
	}
	return e.task(numbers, 1)
}

// randomTarget evaluates a random expression over all numbers with non-negative integer
// intermediate values (a - b with a >= b, a / b only when it divides).
func randomTarget(rng *rand.Rand, numbers []int64) (int64, bool) {
	vals := slices.Clone(numbers)
	for len(vals) > 1 {
		i := rng.IntN(len(vals))
		j := rng.IntN(len(vals) - 1)
		if j >= i {
			j++
		}
		a, b := vals[i], vals[j]
		var v int64
		switch rng.IntN(4) {
		case 0:
			v = a + b
		case 1:
			v = a * b
		case 2:
			v = max(a, b) - min(a, b)
		default:
			if b == 0 || a%b != 0 {
				return 0, false
			}
			v = a / b
		}
		if v > 1<<40 {
			return 0, false
		}
		vals[i] = v
		vals = slices.Delete(vals, j, j+1)
	}
	return vals[0], true
}

// task builds the task for numbers (in prompt order) and target.
func (e *Countdown) task(numbers []int64, target int64) Task {
	words := make([]string, len(numbers))
	for i, n := range numbers {
		words[i] = strconv.FormatInt(n, 10)
	}
	sorted := slices.Clone(numbers)
	slices.Sort(sorted)
	canonical := make([]string, len(sorted))
	for i, n := range sorted {
		canonical[i] = strconv.FormatInt(n, 10)
	}
	ts := strconv.FormatInt(target, 10)
	solution := ""
	if expr, ok := SolveCountdown(numbers, target); ok {
		solution = expr.String()
	}
	return Task{
		ID:       strings.Join(canonical, ",") + ">" + ts,
		Prompt:   strings.NewReplacer("{numbers}", strings.Join(words, " "), "{target}", ts).Replace(e.cfg.Template),
		Answer:   ts,
		Solution: solution,
		Meta: map[string]string{
			"numbers":    strings.Join(words, " "),
			"target":     ts,
			"count":      strconv.Itoa(len(numbers)),
			"difficulty": "n" + strconv.Itoa(len(numbers)),
		},
	}
}

// Name is "countdown".
func (e *Countdown) Name() string { return "countdown" }

// RewardComponents is the verifier's one component.
func (e *Countdown) RewardComponents() []string { return []string{e.verify.Name()} }

// Tasks is the seeded generator with its held-out split.
func (e *Countdown) Tasks() TaskSource { return e.tasks }

// MaxTurns is 1.
func (e *Countdown) MaxTurns() int { return 1 }

// Reset starts a single-turn episode graded by CountdownReward.
func (e *Countdown) Reset(task Task) (Episode, error) {
	if _, _, err := countdownProblem(task.Meta); err != nil {
		return nil, fmt.Errorf("countdown task %q: %w", task.ID, err)
	}
	return &singleTurn{task: task, grade: e.grade}, nil
}

func (e *Countdown) grade(task Task, completion string) rewards.Result {
	return rewards.GradeAll([]rewards.Func{e.verify}, inputFor(task, completion))
}
