package tool

import (
	"errors"
	"fmt"
	"math/big"
)

// Limits that keep the calculator safe on hostile input. A call that breaks one gets the error
// observation; nothing the policy writes can make the env allocate much or recurse deeply.
const (
	MaxExprLen    = 64  // bytes between <calc> and </calc>
	MaxLiteralLen = 12  // digits per number
	MaxDepth      = 16  // nested parentheses plus unary minus signs
	MaxValueBits  = 128 // bits of the numerator and of the denominator of every intermediate value
)

// ErrDivideByZero is returned by Eval for a division by zero.
var ErrDivideByZero = errors.New("division by zero")

// Eval computes an arithmetic expression exactly, as a rational. The grammar is
//
//	sum     := product (('+' | '-') product)*
//	product := unary (('*' | '/') unary)*
//	unary   := '-' unary | primary
//	primary := digits | '(' sum ')'
//
// with the usual precedence, left associativity, and spaces allowed between tokens. Division is
// exact (7/2 is the rational 7/2, not 3). Nothing outside this grammar is evaluated; an input
// longer than MaxExprLen, a literal longer than MaxLiteralLen digits, nesting deeper than
// MaxDepth, an intermediate value wider than MaxValueBits, or a division by zero is an error.
func Eval(expr string) (*big.Rat, error) {
	if len(expr) > MaxExprLen {
		return nil, fmt.Errorf("expression is %d bytes long; at most %d are accepted", len(expr), MaxExprLen)
	}
	p := &calcParser{src: expr}
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

// FormatValue writes a calculator value: an integer in decimal ("-12"), a non-integer as the
// reduced fraction numerator/denominator with the sign on the numerator ("7/2", "-1/3").
func FormatValue(v *big.Rat) string {
	if v.IsInt() {
		return v.Num().String()
	}
	return v.Num().String() + "/" + v.Denom().String()
}

type calcParser struct {
	src string
	pos int
}

func (p *calcParser) skipSpace() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *calcParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *calcParser) sum(depth int) (*big.Rat, error) {
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
		if err := checkSize(left); err != nil {
			return nil, err
		}
	}
}

func (p *calcParser) product(depth int) (*big.Rat, error) {
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
				return nil, ErrDivideByZero
			}
			left.Quo(left, right)
		}
		if err := checkSize(left); err != nil {
			return nil, err
		}
	}
}

func (p *calcParser) unary(depth int) (*big.Rat, error) {
	if p.peek() != '-' {
		return p.primary(depth)
	}
	if depth >= MaxDepth {
		return nil, fmt.Errorf("signs and parentheses nest deeper than %d", MaxDepth)
	}
	p.pos++
	v, err := p.unary(depth + 1)
	if err != nil {
		return nil, err
	}
	return v.Neg(v), nil
}

func (p *calcParser) primary(depth int) (*big.Rat, error) {
	c := p.peek()
	switch {
	case c == 0:
		return nil, errors.New("expression ends where a number or '(' was expected")
	case c == '(':
		if depth >= MaxDepth {
			return nil, fmt.Errorf("signs and parentheses nest deeper than %d", MaxDepth)
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
		if p.pos-start > MaxLiteralLen {
			return nil, fmt.Errorf("number at byte %d has more than %d digits", start, MaxLiteralLen)
		}
		n, _ := new(big.Int).SetString(p.src[start:p.pos], 10)
		return new(big.Rat).SetInt(n), nil
	}
	return nil, fmt.Errorf("unexpected %q at byte %d where a number or '(' was expected", c, p.pos)
}

// checkSize rejects values too wide to be a sensible calculator result.
func checkSize(v *big.Rat) error {
	if v.Num().BitLen() > MaxValueBits || v.Denom().BitLen() > MaxValueBits {
		return fmt.Errorf("intermediate value exceeds %d bits", MaxValueBits)
	}
	return nil
}
