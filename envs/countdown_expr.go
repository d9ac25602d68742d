package envs

import "grit/envs/expr"

// Expr is a countdown expression: a number (Op 0) or Left Op Right with Op one of + - * /. Eval
// computes it exactly, Numbers lists its literals, String prints it with minimal parentheses.
type Expr = expr.Node

// countdownGrammar is the countdown dialect: no unary minus, × and ÷ accepted, any ASCII
// whitespace between tokens, and limits that keep the parser safe on hostile input.
var countdownGrammar = expr.Options{
	UnicodeOps:       true,
	Space:            " \t\n\r",
	MaxLen:           1000, // bytes
	MaxDepth:         100,  // nested parentheses
	MaxLiteralDigits: 18,   // digits per number
}

// ParseExpr parses an arithmetic expression of non-negative integer literals, + - * /
// (× and ÷ also accepted) and parentheses, with the usual precedence and left associativity.
// There is no unary minus and nothing is evaluated (so "1/0" parses; Eval reports the
// division by zero); errors say where the input went wrong.
func ParseExpr(s string) (*Expr, error) { return countdownGrammar.Parse(s) }
