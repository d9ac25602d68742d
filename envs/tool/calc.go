package tool

import (
	"math/big"

	"grit/envs/expr"
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
var ErrDivideByZero = expr.ErrDivideByZero

// calcGrammar is the calculator dialect of grit/envs/expr: unary minus, only ASCII operators,
// only spaces between tokens, and the limits above.
var calcGrammar = expr.Options{
	UnaryMinus:       true,
	Space:            " ",
	MaxLen:           MaxExprLen,
	MaxDepth:         MaxDepth,
	MaxLiteralDigits: MaxLiteralLen,
	MaxValueBits:     MaxValueBits,
}

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
// Each operation is evaluated as soon as its operands are parsed, so the error is the first one
// in input order ("1/0+" is a division by zero).
func Eval(s string) (*big.Rat, error) {
	_, v, err := calcGrammar.ParseEval(s)
	return v, err
}

// FormatValue writes a calculator value: an integer in decimal ("-12"), a non-integer as the
// reduced fraction numerator/denominator with the sign on the numerator ("7/2", "-1/3").
func FormatValue(v *big.Rat) string {
	if v.IsInt() {
		return v.Num().String()
	}
	return v.Num().String() + "/" + v.Denom().String()
}
