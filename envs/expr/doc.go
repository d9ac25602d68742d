// Package expr parses and evaluates the arithmetic expressions of the countdown env and of the
// tool env's calculator. Both read one grammar,
//
//	sum     := product (('+' | '-') product)*
//	product := unary (('*' | '/') unary)*
//	unary   := '-' unary | primary          (only with Options.UnaryMinus; else unary := primary)
//	primary := digits | '(' sum ')'
//
// with the usual precedence and left associativity; Options.Space lists the bytes skipped between
// tokens. Literals are non-negative decimal integers (leading zeros allowed). Nothing outside the
// grammar is accepted: no decimal points, exponents, names or functions.
//
// Values are exact rationals (big.Rat): 7/2 is 7/2, never 3 or 3.5, and a division by zero is
// ErrDivideByZero. Options also bound what hostile input can cost: the input length, the digits
// of a literal, the nesting of parentheses (and unary minus signs), and the bit width of the
// numerator and denominator of every value a binary operation produces.
//
// Parse only checks the syntax and builds a Node tree; Options.Eval (or Node.Eval, without a bit
// limit) evaluates it afterwards. ParseEval evaluates each operation as soon as its operands are
// parsed, so it reports the first error in input order: in "1/0+" the division by zero, not the
// missing operand.
package expr
