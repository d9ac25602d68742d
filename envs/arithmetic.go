package envs

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"grit/plugins"
	"grit/rewards"
)

// arithmeticOps maps an operator symbol to its name in Meta and its function.
var arithmeticOps = map[string]struct {
	name  string
	apply func(a, b int64) int64
}{
	"+": {"add", func(a, b int64) int64 { return a + b }},
	"-": {"sub", func(a, b int64) int64 { return a - b }},
	"*": {"mul", func(a, b int64) int64 { return a * b }},
}

// ArithmeticConfig sets the arithmetic env's task distribution.
type ArithmeticConfig struct {
	DigitsMin     int       // fewest digits per operand (1)
	DigitsMax     int       // most digits per operand (3, at most 9)
	BDigitsMin    int       // fewest digits of the second operand b; 0 (with BDigitsMax 0): as many as a
	BDigitsMax    int       // most digits of b (at most 9); 1 and 1 make "347*6" (0)
	Operators     []string  // operators to draw from: "+", "-", "*"
	OpWeights     []float64 // relative draw weight per operator (equal by default)
	Template      string    // prompt with {a}, {op}, {b} ("{a}{op}{b}=")
	AllowNegative bool      // let subtraction go below zero (otherwise a >= b)
	Extractor     string    // answer extraction rule for the verifier ("auto")
	// TeacherCarryError is the probability that a task's Solution (the SFT reference: a weak
	// teacher's answer) forgets every carry or borrow. Answer, which the verifier uses, stays exact.
	// It makes base policies with a systematic error that a verifier-driven RL run can fix (0).
	TeacherCarryError float64
}

// Arithmetic is the arithmetic env: both operands of a task have the same number of digits d,
// drawn uniformly in [DigitsMin, DigitsMax] (unless BDigitsMin/BDigitsMax give b its own range,
// drawn independently); the operator is drawn with OpWeights. Task.Solution
// is the bare answer ("46" for "12+34="), the completion a perfect policy writes before EOS,
// and Meta carries op (add, sub, mul), digits (of the longer operand) and difficulty (op and
// digits, "add2").
type Arithmetic struct {
	verifiedGenerator
	cfg     ArithmeticConfig
	weights []float64 // cumulative operator weights
}

func newArithmetic(p Params) (Env, error) {
	a := plugins.NewArgs(p)
	cfg := ArithmeticConfig{
		DigitsMin:         a.Int("digits_min", 1),
		DigitsMax:         a.Int("digits_max", 3),
		BDigitsMin:        a.Int("b_digits_min", 0),
		BDigitsMax:        a.Int("b_digits_max", 0),
		Operators:         a.Strings("operators", []string{"+", "-", "*"}),
		Template:          a.String("template", "{a}{op}{b}="),
		AllowNegative:     a.Bool("allow_negative", false),
		Extractor:         a.String("extractor", "auto"),
		TeacherCarryError: a.Float("teacher_carry_error", 0),
	}
	cfg.OpWeights = a.Floats("op_weights", nil)
	split := readSplitParams(a)
	if err := a.Done(); err != nil {
		return nil, err
	}
	return NewArithmetic(cfg, split.fraction, split.size, split.seed)
}

// NewArithmetic builds the env; heldOutFraction of the task space (by hash) is reserved for the
// heldOutSize evaluation tasks generated from heldOutSeed.
func NewArithmetic(cfg ArithmeticConfig, heldOutFraction float64, heldOutSize int, heldOutSeed uint64) (*Arithmetic, error) {
	if cfg.DigitsMin < 1 || cfg.DigitsMax < cfg.DigitsMin || cfg.DigitsMax > 9 {
		return nil, fmt.Errorf("digits_min and digits_max must satisfy 1 <= digits_min <= digits_max <= 9, got %d and %d",
			cfg.DigitsMin, cfg.DigitsMax)
	}
	if cfg.BDigitsMin != 0 || cfg.BDigitsMax != 0 {
		if cfg.BDigitsMin < 1 || cfg.BDigitsMax < cfg.BDigitsMin || cfg.BDigitsMax > 9 {
			return nil, fmt.Errorf("b_digits_min and b_digits_max must satisfy 1 <= b_digits_min <= b_digits_max <= 9 "+
				"(or both be 0 to give b as many digits as a), got %d and %d", cfg.BDigitsMin, cfg.BDigitsMax)
		}
	}
	if !(cfg.TeacherCarryError >= 0 && cfg.TeacherCarryError <= 1) {
		return nil, fmt.Errorf("teacher_carry_error %v must be a probability in [0, 1]", cfg.TeacherCarryError)
	}
	if len(cfg.Operators) == 0 {
		return nil, fmt.Errorf("operators is empty; use some of \"+\", \"-\", \"*\"")
	}
	for _, op := range cfg.Operators {
		if _, ok := arithmeticOps[op]; !ok {
			return nil, fmt.Errorf("operators: unknown operator %q; valid operators: +, -, *", op)
		}
	}
	if cfg.OpWeights == nil {
		for range cfg.Operators {
			cfg.OpWeights = append(cfg.OpWeights, 1)
		}
	}
	if len(cfg.OpWeights) != len(cfg.Operators) {
		return nil, fmt.Errorf("op_weights has %d entries but operators has %d; give one weight per operator",
			len(cfg.OpWeights), len(cfg.Operators))
	}
	env := &Arithmetic{cfg: cfg}
	sum := 0.0
	for i, w := range cfg.OpWeights {
		if !(w >= 0) {
			return nil, fmt.Errorf("op_weights[%d] = %v must be >= 0", i, w)
		}
		sum += w
		env.weights = append(env.weights, sum)
	}
	if !(sum > 0) {
		return nil, fmt.Errorf("op_weights sum to %v; at least one must be positive", sum)
	}
	if !strings.Contains(cfg.Template, "{a}") || !strings.Contains(cfg.Template, "{b}") || !strings.Contains(cfg.Template, "{op}") {
		return nil, fmt.Errorf("template %q must contain {a}, {op} and {b}", cfg.Template)
	}
	var err error
	if env.verify, err = rewards.NewCorrectness("correct", cfg.Extractor); err != nil {
		return nil, err
	}
	env.tasks = newGeneratedSource(env.generate, splitParams{fraction: heldOutFraction, size: heldOutSize, seed: heldOutSeed})
	return env, nil
}

// generate draws one task.
func (e *Arithmetic) generate(rng *rand.Rand) Task {
	u := rng.Float64() * e.weights[len(e.weights)-1]
	k := 0
	for k < len(e.weights)-1 && u >= e.weights[k] {
		k++
	}
	op := e.cfg.Operators[k]
	digits := e.cfg.DigitsMin + rng.IntN(e.cfg.DigitsMax-e.cfg.DigitsMin+1)
	bDigits := digits
	if e.cfg.BDigitsMax > 0 {
		bDigits = e.cfg.BDigitsMin + rng.IntN(e.cfg.BDigitsMax-e.cfg.BDigitsMin+1)
	}
	a, b := Operand(rng, digits), Operand(rng, bDigits)
	if op == "-" && !e.cfg.AllowNegative && a < b {
		a, b = b, a
	}
	t := e.task(a, op, b)
	if e.cfg.TeacherCarryError > 0 && rng.Float64() < e.cfg.TeacherCarryError {
		t.Solution = strconv.FormatInt(withoutCarries(a, op, b, info(op)), 10)
	}
	return t
}

func info(op string) func(a, b int64) int64 { return arithmeticOps[op].apply }

// withoutCarries is a op b computed digit by digit with every carry (addition) or borrow
// (subtraction) forgotten: 19+27 -> 36, 42-17 -> 35. Multiplication is returned exact.
func withoutCarries(a int64, op string, b int64, exact func(a, b int64) int64) int64 {
	if op != "+" && op != "-" {
		return exact(a, b)
	}
	var out, place int64 = 0, 1
	for a > 0 || b > 0 {
		da, db := a%10, b%10
		d := (da + db) % 10
		if op == "-" {
			d = (da - db + 10) % 10
		}
		out += d * place
		place *= 10
		a, b = a/10, b/10
	}
	return out
}

// task builds the task a op b.
func (e *Arithmetic) task(a int64, op string, b int64) Task {
	info := arithmeticOps[op]
	answer := strconv.FormatInt(info.apply(a, b), 10)
	sa, sb := strconv.FormatInt(a, 10), strconv.FormatInt(b, 10)
	digits := strconv.Itoa(max(len(sa), len(sb)))
	prompt := strings.NewReplacer("{a}", sa, "{op}", op, "{b}", sb).Replace(e.cfg.Template)
	return Task{
		ID:       sa + op + sb,
		Prompt:   prompt,
		Answer:   answer,
		Solution: answer,
		Meta:     map[string]string{"op": info.name, "digits": digits, "difficulty": info.name + digits},
	}
}

// Operand draws a number with exactly d digits (0-9 for d = 1).
func Operand(rng *rand.Rand, d int) int64 {
	if d == 1 {
		return rng.Int64N(10)
	}
	lo := int64(1)
	for range d - 1 {
		lo *= 10
	}
	return lo + rng.Int64N(9*lo)
}

// Name is "arithmetic".
func (e *Arithmetic) Name() string { return "arithmetic" }
