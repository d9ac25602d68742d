package tool

// legacyEval is the calculator as it was before it moved to grit/envs/expr, kept verbatim
// (renamed) so that calc_differential_test.go can check the two agree.

import (
	"errors"
	"fmt"
	"math/big"
)

// Limits that keep the calculator safe on hostile input. A call that breaks one gets the error
// observation; nothing the policy writes can make the env allocate much or recurse deeply.
const (
	legacyMaxExprLen    = 64  // bytes between <calc> and </calc>
	legacyMaxLiteralLen = 12  // digits per number
	legacyMaxDepth      = 16  // nested parentheses plus unary minus signs
	legacyMaxValueBits  = 128 // bits of the numerator and of the denominator of every intermediate value
)

// legacyErrDivideByZero is returned by Eval for a division by zero.
var legacyErrDivideByZero = errors.New("division by zero")

// Eval computes an arithmetic expression exactly, as a rational. The grammar is
//
//	sum     := product (('+' | '-') product)*
//	product := unary (('*' | '/') unary)*
//	unary   := '-' unary | primary
//	primary := digits | '(' sum ')'
//
// with the usual precedence, left associativity, and spaces allowed between tokens. Division is
// exact (7/2 is the rational 7/2, not 3). Nothing outside this grammar is evaluated; an input
// longer than legacyMaxExprLen, a literal longer than legacyMaxLiteralLen digits, nesting deeper than
// legacyMaxDepth, an intermediate value wider than legacyMaxValueBits, or a division by zero is an error.
func legacyEval(expr string) (*big.Rat, error) {
	if len(expr) > legacyMaxExprLen {
		return nil, fmt.Errorf("expression is %d bytes long; at most %d are accepted", len(expr), legacyMaxExprLen)
	}
	p := &legacyCalcParser{src: expr}
	v, err := p.sum(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q at byte %d", p.src[p.pos], p.pos)
	}
	return v, nil
}

type legacyCalcParser struct {
	src string
	pos int
}

func (p *legacyCalcParser) skipSpace() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *legacyCalcParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *legacyCalcParser) sum(depth int) (*big.Rat, error) {
	left, err := p.product(depth)
	if err != nil {
		return nil, err
	}
	for {
		op := p.peek()
		if op != '+' && op != '-' {
			return left, nil
		}
		p.pos++
		right, err := p.product(depth)
		if err != nil {
			return nil, err
		}
		if op == '+' {
			left.Add(left, right)
		} else {
			left.Sub(left, right)
		}
		if err := legacyCheckSize(left); err != nil {
			return nil, err
		}
	}
}

func (p *legacyCalcParser) product(depth int) (*big.Rat, error) {
	left, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for {
		op := p.peek()
		if op != '*' && op != '/' {
			return left, nil
		}
		p.pos++
		right, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		if op == '*' {
			left.Mul(left, right)
		} else {
			if right.Sign() == 0 {
				return nil, legacyErrDivideByZero
			}
			left.Quo(left, right)
		}
		if err := legacyCheckSize(left); err != nil {
			return nil, err
		}
	}
}

func (p *legacyCalcParser) unary(depth int) (*big.Rat, error) {
	if p.peek() != '-' {
		return p.primary(depth)
	}
	if depth >= legacyMaxDepth {
		return nil, fmt.Errorf("signs and parentheses nest deeper than %d", legacyMaxDepth)
	}
	p.pos++
	v, err := p.unary(depth + 1)
	if err != nil {
		return nil, err
	}
	return v.Neg(v), nil
}

func (p *legacyCalcParser) primary(depth int) (*big.Rat, error) {
	c := p.peek()
	switch {
	case c == 0:
		return nil, errors.New("expression ends where a number or '(' was expected")
	case c == '(':
		if depth >= legacyMaxDepth {
			return nil, fmt.Errorf("signs and parentheses nest deeper than %d", legacyMaxDepth)
		}
		p.pos++
		v, err := p.sum(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing ')' at byte %d", p.pos)
		}
		p.pos++
		return v, nil
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		if p.pos-start > legacyMaxLiteralLen {
			return nil, fmt.Errorf("number at byte %d has more than %d digits", start, legacyMaxLiteralLen)
		}
		n, _ := new(big.Int).SetString(p.src[start:p.pos], 10)
		return new(big.Rat).SetInt(n), nil
	}
	return nil, fmt.Errorf("unexpected %q at byte %d where a number or '(' was expected", c, p.pos)
}

// legacyCheckSize rejects values too wide to be a sensible calculator result.
func legacyCheckSize(v *big.Rat) error {
	if v.Num().BitLen() > legacyMaxValueBits || v.Denom().BitLen() > legacyMaxValueBits {
		return fmt.Errorf("intermediate value exceeds %d bits", legacyMaxValueBits)
	}
	return nil
}
