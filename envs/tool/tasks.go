package tool

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"grit/envs"
)

// Difficulty levels, the values of Task.Meta["difficulty"].
const (
	Easy   = "easy"
	Medium = "medium"
	Hard   = "hard"
)

// Form is one kind of task: an operand of DigitsA digits, Op, an operand of DigitsB digits.
// It is written "3*2" (3-digit times 2-digit) in params.
type Form struct {
	DigitsA int
	Op      byte // '+', '-' or '*'
	DigitsB int
}

// maxFormDigits bounds operands so that every answer fits in an int64 and in a small context.
const maxFormDigits = 6

// ParseForm reads "DopD", e.g. "2+1" or "3*2", with 1 to 6 digits per operand.
func ParseForm(s string) (Form, error) {
	if len(s) != 3 || s[0] < '1' || s[0] > '0'+maxFormDigits || s[2] < '1' || s[2] > '0'+maxFormDigits ||
		(s[1] != '+' && s[1] != '-' && s[1] != '*') {
		return Form{}, fmt.Errorf("form %q must be <digits><op><digits> with 1 to %d digits per operand and op one of + - *, e.g. \"3*2\"",
			s, maxFormDigits)
	}
	return Form{DigitsA: int(s[0] - '0'), Op: s[1], DigitsB: int(s[2] - '0')}, nil
}

// String is the form as written in params ("3*2").
func (f Form) String() string {
	return strconv.Itoa(f.DigitsA) + string(f.Op) + strconv.Itoa(f.DigitsB)
}

// maxAnswerLen is the length of the longest answer a task of this form can have.
func (f Form) maxAnswerLen() int {
	switch f.Op {
	case '*':
		return f.DigitsA + f.DigitsB
	case '+':
		return max(f.DigitsA, f.DigitsB) + 1
	}
	// '-': a >= b is kept when the digits are equal, so only a shorter a can go negative.
	if f.DigitsA < f.DigitsB {
		return f.DigitsB + 1
	}
	return f.DigitsA
}

// draw makes one task of this form at the given difficulty.
func (f Form) draw(rng *rand.Rand, difficulty string) envs.Task {
	a, b := envs.Operand(rng, f.DigitsA), envs.Operand(rng, f.DigitsB)
	if f.Op == '-' && f.DigitsA == f.DigitsB && a < b {
		a, b = b, a
	}
	return makeTask(a, f.Op, b, f.String(), difficulty)
}

// makeTask builds the task "a op b=" with its exact answer.
func makeTask(a int64, op byte, b int64, form, difficulty string) envs.Task {
	var v int64
	switch op {
	case '+':
		v = a + b
	case '-':
		v = a - b
	default:
		v = a * b
	}
	expr := strconv.FormatInt(a, 10) + string(op) + strconv.FormatInt(b, 10)
	answer := strconv.FormatInt(v, 10)
	return envs.Task{
		ID:       expr,
		Prompt:   expr + "=",
		Answer:   answer,
		Solution: answer,
		Meta:     map[string]string{"difficulty": difficulty, "form": form},
	}
}
