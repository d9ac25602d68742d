package envs

// legacyParseExpr is the countdown parser as it was before it moved to grit/envs/expr, kept
// verbatim (renamed) so that countdown_differential_test.go can check the two agree.

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Limits that keep the countdown parser safe on hostile input.
const (
	legacyMaxExprLen    = 1000 // bytes
	legacyMaxExprDepth  = 100  // nested parentheses
	legacyMaxLiteralLen = 18   // digits per number
)

// Expr is a countdown expression: a number (Op 0) or Left Op Right with Op one of + - * /.
type legacyExpr struct {
	Op          byte
	Left, Right *legacyExpr
	Number      *big.Int
}

// ParseExpr parses an arithmetic expression of non-negative integer literals, + - * /
// (× and ÷ also accepted) and parentheses, with the usual precedence and left associativity.
// There is no unary minus and nothing is evaluated beyond this grammar; errors say where the
// input went wrong.
func legacyParseExpr(s string) (*legacyExpr, error) {
	if len(s) > legacyMaxExprLen {
		return nil, fmt.Errorf("expression is %d bytes long; at most %d are accepted", len(s), legacyMaxExprLen)
	}
	s = strings.NewReplacer("×", "*", "÷", "/").Replace(s)
	p := &legacyExprParser{src: s}
	e, err := p.sum(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q at byte %d", p.src[p.pos], p.pos)
	}
	return e, nil
}

type legacyExprParser struct {
	src string
	pos int
}

func (p *legacyExprParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

// sum := product (('+' | '-') product)*
func (p *legacyExprParser) sum(depth int) (*legacyExpr, error) {
	left, err := p.product(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || (p.src[p.pos] != '+' && p.src[p.pos] != '-') {
			return left, nil
		}
		op := p.src[p.pos]
		p.pos++
		right, err := p.product(depth)
		if err != nil {
			return nil, err
		}
		left = &legacyExpr{Op: op, Left: left, Right: right}
	}
}

// product := factor (('*' | '/') factor)*
func (p *legacyExprParser) product(depth int) (*legacyExpr, error) {
	left, err := p.factor(depth)
	if err != nil {
		return nil, err
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || (p.src[p.pos] != '*' && p.src[p.pos] != '/') {
			return left, nil
		}
		op := p.src[p.pos]
		p.pos++
		right, err := p.factor(depth)
		if err != nil {
			return nil, err
		}
		left = &legacyExpr{Op: op, Left: left, Right: right}
	}
}

// factor := number | '(' sum ')'
func (p *legacyExprParser) factor(depth int) (*legacyExpr, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return nil, errors.New("expression ends where a number or '(' was expected")
	}
	c := p.src[p.pos]
	switch {
	case c == '(':
		if depth >= legacyMaxExprDepth {
			return nil, fmt.Errorf("parentheses nest deeper than %d", legacyMaxExprDepth)
		}
		p.pos++
		e, err := p.sum(depth + 1)
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return nil, fmt.Errorf("missing ')' at byte %d", p.pos)
		}
		p.pos++
		return e, nil
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		if p.pos-start > legacyMaxLiteralLen {
			return nil, fmt.Errorf("number at byte %d has more than %d digits", start, legacyMaxLiteralLen)
		}
		n, _ := new(big.Int).SetString(p.src[start:p.pos], 10)
		return &legacyExpr{Number: n}, nil
	}
	return nil, fmt.Errorf("unexpected %q at byte %d where a number or '(' was expected", c, p.pos)
}

// legacyErrDivideByZero is returned by Eval for a division by zero.
var legacyErrDivideByZero = errors.New("division by zero")

// Eval computes the expression exactly as a rational.
func (e *legacyExpr) Eval() (*big.Rat, error) {
	if e.Op == 0 {
		return new(big.Rat).SetInt(e.Number), nil
	}
	l, err := e.Left.Eval()
	if err != nil {
		return nil, err
	}
	r, err := e.Right.Eval()
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case '+':
		return l.Add(l, r), nil
	case '-':
		return l.Sub(l, r), nil
	case '*':
		return l.Mul(l, r), nil
	}
	if r.Sign() == 0 {
		return nil, legacyErrDivideByZero
	}
	return l.Quo(l, r), nil
}

// Numbers lists the literals from left to right.
func (e *legacyExpr) Numbers() []*big.Int {
	if e.Op == 0 {
		return []*big.Int{e.Number}
	}
	return append(e.Left.Numbers(), e.Right.Numbers()...)
}

func legacyPrecedence(op byte) int {
	switch op {
	case '+', '-':
		return 1
	case '*', '/':
		return 2
	}
	return 3 // a number
}

// String writes the expression with only the parentheses it needs: "3*5+7", "(3+5)*7", "8-(3-1)".
func (e *legacyExpr) String() string {
	if e.Op == 0 {
		return e.Number.String()
	}
	left, right := e.Left.String(), e.Right.String()
	if legacyPrecedence(e.Left.Op) < legacyPrecedence(e.Op) {
		left = "(" + left + ")"
	}
	rp := legacyPrecedence(e.Right.Op)
	if rp < legacyPrecedence(e.Op) || (rp == legacyPrecedence(e.Op) && (e.Op == '-' || e.Op == '/')) {
		right = "(" + right + ")"
	}
	return left + string(e.Op) + right
}
