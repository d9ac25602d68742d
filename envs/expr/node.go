package expr

import (
	"math/big"
	"strings"
)

// Neg is the Op of a unary minus node; its operand is Left and Right is nil.
const Neg byte = '~'

// Node is an expression tree: a literal (Op 0, Number set), a binary operation Left Op Right with
// Op one of + - * /, or a negation (Op Neg) of Left.
type Node struct {
	Op          byte
	Left, Right *Node
	Number      *big.Int
}

// Eval computes the expression exactly, with no bit limit: Options{}.Eval(n).
func (n *Node) Eval() (*big.Rat, error) { return Options{}.Eval(n) }

// Numbers lists the literals from left to right.
func (n *Node) Numbers() []*big.Int {
	var out []*big.Int
	n.walkNumbers(func(x *big.Int) { out = append(out, x) })
	return out
}

func (n *Node) walkNumbers(visit func(*big.Int)) {
	if n.Op == 0 {
		visit(n.Number)
		return
	}
	n.Left.walkNumbers(visit)
	if n.Right != nil {
		n.Right.walkNumbers(visit)
	}
}

// precedence ranks how tightly a node binds: sums 1, products 2, negations and literals 3.
func precedence(op byte) int {
	switch op {
	case '+', '-':
		return 1
	case '*', '/':
		return 2
	}
	return 3
}

// String writes the expression with only the parentheses it needs: "3*5+7", "(3+5)*7",
// "8-(3-1)", "-(2+3)". Parsing the result gives the same tree.
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

func (n *Node) write(b *strings.Builder) {
	switch n.Op {
	case 0:
		b.WriteString(n.Number.String())
		return
	case Neg:
		b.WriteByte('-')
		writeOperand(b, n.Left, precedence(n.Left.Op) < precedence(Neg))
		return
	}
	writeOperand(b, n.Left, precedence(n.Left.Op) < precedence(n.Op))
	b.WriteByte(n.Op)
	rp := precedence(n.Right.Op)
	// a right operand of equal rank needs parentheses after - and /, which do not associate
	writeOperand(b, n.Right, rp < precedence(n.Op) || (rp == precedence(n.Op) && (n.Op == '-' || n.Op == '/')))
}

func writeOperand(b *strings.Builder, n *Node, paren bool) {
	if paren {
		b.WriteByte('(')
	}
	n.write(b)
	if paren {
		b.WriteByte(')')
	}
}
