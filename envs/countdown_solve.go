package envs

import "math/big"

// maxCountdownNumbers bounds the search (6 numbers is the classic game).
const maxCountdownNumbers = 6

type countdownItem struct {
	value *big.Rat
	expr  *Expr
}

// SolveCountdown searches for an expression that uses each number exactly once with + - * /
// and reaches target (rational intermediate values allowed). The search order is fixed, so the
// answer is reproducible. ok is false when there is none or there are more than 6 numbers.
func SolveCountdown(numbers []int64, target int64) (expr *Expr, ok bool) {
	if len(numbers) == 0 || len(numbers) > maxCountdownNumbers {
		return nil, false
	}
	items := make([]countdownItem, len(numbers))
	for i, n := range numbers {
		items[i] = countdownItem{value: new(big.Rat).SetInt64(n), expr: &Expr{Number: big.NewInt(n)}}
	}
	return solve(items, new(big.Rat).SetInt64(target))
}

// solve combines two items at a time until one is left.
func solve(items []countdownItem, target *big.Rat) (*Expr, bool) {
	if len(items) == 1 {
		return items[0].expr, items[0].value.Cmp(target) == 0
	}
	for i := 0; i < len(items); i++ {
		for j := i + 1; j < len(items); j++ {
			for _, c := range combine(items[i], items[j]) {
				// the combined item takes i's place, so solutions read in the prompt's order
				next := make([]countdownItem, 0, len(items)-1)
				for k := range items {
					switch k {
					case i:
						next = append(next, c)
					case j:
					default:
						next = append(next, items[k])
					}
				}
				if e, ok := solve(next, target); ok {
					return e, true
				}
			}
		}
	}
	return nil, false
}

// combine lists every way to join a and b with one operator.
func combine(a, b countdownItem) []countdownItem {
	join := func(op byte, l, r countdownItem, v *big.Rat) countdownItem {
		return countdownItem{value: v, expr: &Expr{Op: op, Left: l.expr, Right: r.expr}}
	}
	out := []countdownItem{
		join('+', a, b, new(big.Rat).Add(a.value, b.value)),
		join('*', a, b, new(big.Rat).Mul(a.value, b.value)),
		join('-', a, b, new(big.Rat).Sub(a.value, b.value)),
		join('-', b, a, new(big.Rat).Sub(b.value, a.value)),
	}
	if b.value.Sign() != 0 {
		out = append(out, join('/', a, b, new(big.Rat).Quo(a.value, b.value)))
	}
	if a.value.Sign() != 0 {
		out = append(out, join('/', b, a, new(big.Rat).Quo(b.value, a.value)))
	}
	return out
}
