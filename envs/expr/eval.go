package expr

import (
	"errors"
	"fmt"
	"math/big"
)

// ErrDivideByZero is the error of a division by zero.
var ErrDivideByZero = errors.New("division by zero")

// Eval computes n exactly, operands before their operation and left before right, checking
// MaxValueBits after every binary operation. The first failing operation's error is returned.
func (o Options) Eval(n *Node) (*big.Rat, error) {
	switch n.Op {
	case 0:
		return new(big.Rat).SetInt(n.Number), nil
	case Neg:
		v, err := o.Eval(n.Left)
		if err != nil {
			return nil, err
		}
		return v.Neg(v), nil
	}
	l, err := o.Eval(n.Left)
	if err != nil {
		return nil, err
	}
	r, err := o.Eval(n.Right)
	if err != nil {
		return nil, err
	}
	return o.apply(n.Op, l, r)
}

// apply computes l op r into l (which it owns), then checks MaxValueBits.
func (o Options) apply(op byte, l, r *big.Rat) (*big.Rat, error) {
	switch op {
	case '+':
		l.Add(l, r)
	case '-':
		l.Sub(l, r)
	case '*':
		l.Mul(l, r)
	case '/':
		if r.Sign() == 0 {
			return nil, ErrDivideByZero
		}
		l.Quo(l, r)
	default:
		return nil, fmt.Errorf("unknown operator %q in an expression tree", op)
	}
	if o.MaxValueBits > 0 && (l.Num().BitLen() > o.MaxValueBits || l.Denom().BitLen() > o.MaxValueBits) {
		return nil, fmt.Errorf("intermediate value exceeds %d bits", o.MaxValueBits)
	}
	return l, nil
}
