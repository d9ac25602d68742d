package tool

import "strings"

// The text formats of a tool-use episode (see the package doc).
const (
	CallOpen    = "<calc>"
	CallClose   = "</calc>"
	ResultOpen  = "<r>"
	ResultClose = "</r>"
	ErrorResult = "error" // shown as <r>error</r> for a malformed or failed call
)

// Call writes the calculator call for expr: "<calc>47*83</calc>".
func Call(expr string) string { return CallOpen + expr + CallClose }

// Observation wraps a calculator output: "<r>3901</r>".
func Observation(output string) string { return ResultOpen + output + ResultClose }

// IsCall reports whether a turn's text tries to call the calculator: it contains "<calc" or
// "calc>" anywhere. Such a turn is never an answer, well-formed or not.
func IsCall(text string) bool {
	return strings.Contains(text, "<calc") || strings.Contains(text, "calc>")
}

// RunCall executes a turn that IsCall and returns the observation. A well-formed call is exactly
// "<calc>EXPR</calc>" (surrounding spaces and newlines ignored) with one tag pair and no '<' or
// '>' inside EXPR; its observation is Observation(FormatValue(Eval(EXPR))). Anything else (extra
// text, nested or unclosed tags, an expression Eval rejects) gets Observation(ErrorResult).
func RunCall(text string) string {
	expr, ok := callExpr(text)
	if !ok {
		return Observation(ErrorResult)
	}
	v, err := Eval(expr)
	if err != nil {
		return Observation(ErrorResult)
	}
	return Observation(FormatValue(v))
}

// callExpr returns EXPR of a well-formed call.
func callExpr(text string) (string, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, CallOpen) || !strings.HasSuffix(t, CallClose) || len(t) < len(CallOpen)+len(CallClose) {
		return "", false
	}
	expr := t[len(CallOpen) : len(t)-len(CallClose)]
	if strings.ContainsAny(expr, "<>") {
		return "", false
	}
	return expr, true
}

// IsBareAnswer reports whether text is a well-formed final answer: an integer in canonical
// decimal form ("0", "3901", "-12"), with nothing around it (no spaces, no leading zeros, no "+").
func IsBareAnswer(text string) bool {
	digits := strings.TrimPrefix(text, "-")
	if digits == "" || (digits[0] == '0' && (len(digits) > 1 || len(text) > 1)) {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	return true
}
