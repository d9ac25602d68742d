package trainers

import (
	"math"
	"strconv"
	"strings"

	"grit/rl"
)

// expertMonitors are B-STaR's exploration / exploitation monitors of one sampled batch: P prompts
// (groups) of K samples each, and a selection rule keep.
//
//	pass@K            = (1/P) sum_i [c_i >= 1]               c_i: correct samples of prompt i
//	distinct correct  = (1/P) sum_i d_i                       d_i: distinct correct samples of prompt i
//	precision         = sum_i n'_i / sum_i n_i  (all selected samples, duplicates counted)
//	balance           = (1/P) sum_i min(n'_i / n*, 1) * n'_i / n_i,   0 for a prompt with n_i = 0
//
// n_i is the number of selected samples of prompt i (duplicates counted), n'_i the number of
// distinct correct ones among them, n* = expert_iter.balance_n_star. Two samples are the same
// solution when every turn generated the same tokens. Correct means graded (RewardOK) and judged
// correct by the env's verifier.
type expertMonitors struct {
	prompts         int
	passAtK         float64
	distinctCorrect float64 // mean d_i
	selected        int     // sum_i n_i
	selectedCorrect int     // selected samples that are correct (duplicates counted)
	balance         float64
}

// precision is the share of selected samples that are correct, NaN when none was selected.
func (e expertMonitors) precision() float64 {
	if e.selected == 0 {
		return math.NaN()
	}
	return float64(e.selectedCorrect) / float64(e.selected)
}

// measureExpert computes the monitors of samples (grouped by Group) under the selection rule keep.
func measureExpert(samples []rl.Sample, keep func(*rl.Sample) bool, nStar int) expertMonitors {
	type prompt struct {
		solved          bool
		correct         map[string]bool // distinct correct solutions
		selected        int
		selectedCorrect map[string]bool // distinct correct solutions among the selected
	}
	byGroup := map[int]*prompt{}
	var order []int
	var mon expertMonitors
	for i := range samples {
		s := &samples[i]
		p := byGroup[s.Group]
		if p == nil {
			p = &prompt{correct: map[string]bool{}, selectedCorrect: map[string]bool{}}
			byGroup[s.Group] = p
			order = append(order, s.Group)
		}
		correct := s.RewardOK && s.Correct
		key := solutionKey(s)
		if correct {
			p.solved = true
			p.correct[key] = true
		}
		if keep(s) {
			p.selected++
			mon.selected++
			if correct {
				p.selectedCorrect[key] = true
				mon.selectedCorrect++
			}
		}
	}
	mon.prompts = len(order)
	if mon.prompts == 0 {
		return mon
	}
	for _, g := range order {
		p := byGroup[g]
		if p.solved {
			mon.passAtK++
		}
		mon.distinctCorrect += float64(len(p.correct))
		if p.selected > 0 {
			nd := float64(len(p.selectedCorrect))
			mon.balance += math.Min(nd/float64(nStar), 1) * nd / float64(p.selected)
		}
	}
	n := float64(mon.prompts)
	mon.passAtK /= n
	mon.distinctCorrect /= n
	mon.balance /= n
	return mon
}

// solutionKey identifies a sample's solution: the tokens generated in every turn.
func solutionKey(s *rl.Sample) string {
	var b strings.Builder
	for k, tu := range s.Turns {
		if k > 0 {
			b.WriteByte('|')
		}
		for j, id := range tu.Tokens {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(id))
		}
	}
	return b.String()
}

// write logs the monitors into m.
func (e expertMonitors) write(m Metrics) {
	m[keyPassAtK] = e.passAtK
	m[keyDistinctCorrect] = e.distinctCorrect
	m[keySelected] = float64(e.selected)
	m[keyBalance] = e.balance
	if p := e.precision(); !math.IsNaN(p) {
		m[keySelectionPrecision] = p
	}
}
