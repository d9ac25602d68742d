package rewards

import (
	"fmt"
	"strings"
)

// Exact matching, for tasks where the format is part of correctness: the whole completion is the
// answer and must equal the reference string, byte for byte ("exact") or once leading and
// trailing white space is trimmed from both ("exact_trim"). No number is parsed, no rational or
// GSM8K / \boxed form is recognised: "7" and "7.0", "1/2" and "0.5" are different answers.
const (
	ExtractorExact     = "exact"
	ExtractorExactTrim = "exact_trim"
)

// ExtractWhole is the "exact" extractor: the completion itself is the answer.
func ExtractWhole(completion string) (string, bool) { return completion, true }

// ExtractWholeTrimmed is the "exact_trim" extractor: the completion without leading and trailing
// white space.
func ExtractWholeTrimmed(completion string) (string, bool) {
	return strings.TrimSpace(completion), true
}

// Match decides whether an extracted answer agrees with a task's reference answer.
type Match func(answer, reference string) bool

// MatchEquivalent is the lenient check of every extractor but the exact ones: the reference is
// reduced to its answer (ReferenceAnswer) and compared with Equivalent.
func MatchEquivalent(answer, reference string) bool {
	return Equivalent(answer, ReferenceAnswer(reference))
}

// MatchExact requires the answer to equal the reference string.
func MatchExact(answer, reference string) bool { return answer == reference }

// MatchExactTrimmed requires the answer to equal the reference without its leading and trailing
// white space.
func MatchExactTrimmed(answer, reference string) bool { return answer == strings.TrimSpace(reference) }

// MatchFor is the check that goes with extractor name: exact equality for "exact" and
// "exact_trim", MatchEquivalent for the others.
func MatchFor(extractor string) Match {
	switch extractor {
	case ExtractorExact:
		return MatchExact
	case ExtractorExactTrim:
		return MatchExactTrimmed
	}
	return MatchEquivalent
}

// NewCorrectness is the correctness verifier for an extractor name (an env's or a reward's
// `extractor` setting): its extraction rule and the check that goes with it.
func NewCorrectness(label, extractor string) (Correctness, error) {
	extract, err := ExtractorByName(extractor)
	if err != nil {
		return Correctness{}, fmt.Errorf("extractor: %w", err)
	}
	return Correctness{Label: label, Extract: extract, Match: MatchFor(extractor)}, nil
}
