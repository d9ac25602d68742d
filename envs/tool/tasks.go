package tool

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
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
	a, b := operand(rng, f.DigitsA), operand(rng, f.DigitsB)
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

// operand draws a number with exactly d digits (0-9 for d = 1).
func operand(rng *rand.Rand, d int) int64 {
	if d == 1 {
		return rng.Int64N(10)
	}
	lo := int64(1)
	for range d - 1 {
		lo *= 10
	}
	return lo + rng.Int64N(9*lo)
}

// inHeldOut reports whether the task whose canonical form is key ("47*83") is held out: the
// FNV-64a hash of (salt, key), passed through the splitmix64 finalizer and read as a number in
// [0, 1), is below fraction. The finalizer matters: FNV's top bits barely depend on the last
// bytes of a short key, so without it whole forms ("4+57") fell in or out of the split together.
func inHeldOut(key string, fraction float64, salt uint64) bool {
	if fraction <= 0 {
		return false
	}
	h := fnv.New64a()
	var s [8]byte
	binary.LittleEndian.PutUint64(s[:], salt)
	h.Write(s[:])
	h.Write([]byte(key))
	return float64(splitmix64(h.Sum64())>>11)/(1<<53) < fraction
}

// splitmix64 is the finalizer of Steele et al.'s SplitMix64: every input bit flips each output
// bit with probability about 1/2.
func splitmix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
