package expr

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// unicodeOps rewrites × and ÷ to * and / for Options.UnicodeOps.
var unicodeOps = strings.NewReplacer("×", "*", "÷", "/")

// Parse checks s against the grammar and the length, depth and literal limits and returns its
// tree. Nothing is evaluated: "1/0" parses. Errors name the byte offset where s went wrong.
func (o Options) Parse(s string) (*Node, error) {
	t, err := o.parse(s, false)
	if err != nil {
		return nil, err
	}
	return t.node, nil
}

// ParseEval parses s and evaluates every operation as soon as its operands are parsed (with
// MaxValueBits checked after each binary one), so the error returned is the first one in input
// order, whether a syntax error, a limit or a division by zero.
func (o Options) ParseEval(s string) (*Node, *big.Rat, error) {
	t, err := o.parse(s, true)
	if err != nil {
		return nil, nil, err
	}
	return t.node, t.value, nil
}

func (o Options) parse(s string, eval bool) (term, error) {
	if o.MaxLen > 0 && len(s) > o.MaxLen {
		return term{}, fmt.Errorf("expression is %d bytes long; at most %d are accepted", len(s), o.MaxLen)
	}
	if o.UnicodeOps {
		s = unicodeOps.Replace(s)
	}
	p := &parser{opts: o, src: s, eval: eval}
	t, err := p.sum(0)
	if err != nil {
		return term{}, err
	}
	p.skipSpace()
	if p.pos < len(p.src) {
		return term{}, fmt.Errorf("unexpected %q at byte %d", p.src[p.pos], p.pos)
	}
	return t, nil
}

// term is a parsed subtree and, when the parser evaluates, its value.
type term struct {
	node  *Node
	value *big.Rat
}

type parser struct {
	opts Options
	src  string
	pos  int
	eval bool // compute values while parsing
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && strings.IndexByte(p.opts.Space, p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// next skips space and reports whether the next byte is one of set, without consuming it.
func (p *parser) next(set string) (byte, bool) {
	p.skipSpace()
	if p.pos >= len(p.src) || strings.IndexByte(set, p.src[p.pos]) < 0 {
		return 0, false
	}
	return p.src[p.pos], true
}

// sum := product (('+' | '-') product)*
func (p *parser) sum(depth int) (term, error) {
	return p.chain(depth, "+-", p.product)
}

// product := unary (('*' | '/') unary)*
func (p *parser) product(depth int) (term, error) {
	return p.chain(depth, "*/", p.unary)
}

// chain parses operand (op operand)* with the operators in ops, left associative.
func (p *parser) chain(depth int, ops string, operand func(int) (term, error)) (term, error) {
	left, err := operand(depth)
	if err != nil {
		return term{}, err
	}
	for {
		op, ok := p.next(ops)
		if !ok {
			return left, nil
		}
		p.pos++
		right, err := operand(depth)
		if err != nil {
			return term{}, err
		}
		if left, err = p.binary(op, left, right); err != nil {
			return term{}, err
		}
	}
}

// binary joins two operands, evaluating the result when the parser evaluates.
func (p *parser) binary(op byte, left, right term) (term, error) {
	t := term{node: &Node{Op: op, Left: left.node, Right: right.node}}
	if p.eval {
		v, err := p.opts.apply(op, left.value, right.value)
		if err != nil {
			return term{}, err
		}
		t.value = v
	}
	return t, nil
}

// unary := '-' unary | primary
func (p *parser) unary(depth int) (term, error) {
	if _, ok := p.next("-"); !ok || !p.opts.UnaryMinus {
		return p.primary(depth)
	}
	if err := p.checkDepth(depth); err != nil {
		return term{}, err
	}
	p.pos++
	x, err := p.unary(depth + 1)
	if err != nil {
		return term{}, err
	}
	t := term{node: &Node{Op: Neg, Left: x.node}}
	if p.eval {
		t.value = x.value.Neg(x.value)
	}
	return t, nil
}

// primary := digits | '(' sum ')'
func (p *parser) primary(depth int) (term, error) {
	p.skipSpace()
	if p.pos >= len(p.src) {
		return term{}, errors.New("expression ends where a number or '(' was expected")
	}
	c := p.src[p.pos]
	switch {
	case c == '(':
		if err := p.checkDepth(depth); err != nil {
			return term{}, err
		}
		p.pos++
		t, err := p.sum(depth + 1)
		if err != nil {
			return term{}, err
		}
		if _, ok := p.next(")"); !ok {
			return term{}, fmt.Errorf("missing ')' at byte %d", p.pos)
		}
		p.pos++
		return t, nil
	case c >= '0' && c <= '9':
		return p.literal()
	}
	return term{}, fmt.Errorf("unexpected %q at byte %d where a number or '(' was expected", c, p.pos)
}

// literal reads a run of decimal digits.
func (p *parser) literal() (term, error) {
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
	}
	if p.opts.MaxLiteralDigits > 0 && p.pos-start > p.opts.MaxLiteralDigits {
		return term{}, fmt.Errorf("number at byte %d has more than %d digits", start, p.opts.MaxLiteralDigits)
	}
	n, _ := new(big.Int).SetString(p.src[start:p.pos], 10)
	t := term{node: &Node{Number: n}}
	if p.eval {
		t.value = new(big.Rat).SetInt(n)
	}
	return t, nil
}

// checkDepth rejects one more level of nesting at depth.
func (p *parser) checkDepth(depth int) error {
	if p.opts.MaxDepth <= 0 || depth < p.opts.MaxDepth {
		return nil
	}
	if p.opts.UnaryMinus {
		return fmt.Errorf("signs and parentheses nest deeper than %d", p.opts.MaxDepth)
	}
	return fmt.Errorf("parentheses nest deeper than %d", p.opts.MaxDepth)
}
