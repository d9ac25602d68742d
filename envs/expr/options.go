package expr

// Options selects a dialect of the grammar and its limits. A zero limit means no limit.
type Options struct {
	UnaryMinus bool   // accept '-' before an operand; each sign counts one level toward MaxDepth
	UnicodeOps bool   // accept × and ÷ for * and / (replaced before parsing; error offsets refer to the replaced text)
	Space      string // bytes skipped between tokens, e.g. " " or " \t\n\r"

	MaxLen           int // bytes of input, checked before anything else
	MaxDepth         int // nested parentheses, plus unary minus signs when UnaryMinus is set
	MaxLiteralDigits int // digits of one literal
	MaxValueBits     int // bits of the numerator and of the denominator of every binary operation's result
}
