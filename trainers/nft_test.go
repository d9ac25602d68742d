package trainers

import (
	"fmt"
	"math"
	"testing"

	"grit/rl"
)

// TestNFTHandTable follows the nft trainer's samples through rl.PolicyLoss on a hand table.
// Four groups (1 = correct): g0 1 0 0 0 (r_q = 0.25), g1 1 1 (solved), g2 0 0 (unsolved),
// g3 1 0 (r_q = 0.5). g1 and g2 are uninformative and dropped, so six rows reach rl. Each row is
// one token whose log-prob moves by s from its sampling log-prob, R = exp(min(s, 10)); Z = 1000,
// nft.clamp_eps 1.
//
//	row    c  s       R       v = (1 - rhat R)/(1 - rhat)    dl/dlogp (before omega, neg_weight, 1/Z)
//	g0 a   1  0.5     -       -                                -1                       (L+ = -log R)
//	g0 b   0  0       1       1                                rhat R/((1-rhat) v) = 1/3
//	g0 c   0  ln 0.5  0.5     1.1667                           0.125/(0.75 * 1.1667) = 1/7
//	g0 d   0  ln 2    2       0.6667 < eps: max_v -> 1         0.5/0.75 = 2/3 (clamped value, gradient kept)
//	g3 a   1  11      e^10    -                                0 (ratio cap)
//	g3 b   0  0       1       1                                0.5/0.5 = 1
//
// dL/dlogp = omega(q) * (c * dl+ + neg_weight (1 - c) dl-) / Z with
// omega = 1 - rhat (0.75 for g0, 0.5 for g3) or sqrt((1 - rhat)/rhat) (sqrt 3 for g0, 1 for g3):
//
//	prompt_weight  neg_weight   g0 a     g0 b       g0 c       g0 d       g3 a  g3 b   (x 1/1000)
//	one_minus_r    1            -0.75    0.25       0.107143   0.5        0     0.5
//	sqrt           1            -1.7321  0.57735    0.247436   1.154701   0     1
//	one_minus_r    0            -0.75    0          0          0          0     0
func TestNFTHandTable(t *testing.T) {
	shift := []float64{0.5, 0, math.Log(0.5), math.Log(2), 11, 0}
	s3 := math.Sqrt(3)
	cases := []struct {
		promptWeight rl.PromptWeight
		negWeight    float64
		want         []float64 // x 1/1000
	}{
		{"one_minus_r", 1, []float64{-0.75, 0.25, 0.75 / 7, 0.5, 0, 0.5}},
		{"sqrt", 1, []float64{-s3, s3 / 3, s3 / 7, s3 * 2 / 3, 0, 1}},
		{"one_minus_r", 0, []float64{-0.75, 0, 0, 0, 0, 0}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s-neg%g", tc.promptWeight, tc.negWeight), func(t *testing.T) {
			cfg := Defaults()
			cfg.Beta = 0
			cfg.NFT.PromptWeight, cfg.NFT.NegWeight = tc.promptWeight, tc.negWeight
			n := &nft{t: testTrainer(cfg)}
			samples := oneTurnSamples(n.t, []float64{1, 0, 0, 0}, []float64{1, 1}, []float64{0, 0}, []float64{1, 0})
			m := Metrics{}
			informative, err := n.informativeGroups(samples, m)
			if err != nil {
				t.Fatal(err)
			}
			if m[keyGroupsUninformative] != 2 {
				t.Errorf("groups_uninformative = %v, want 2 (g1 solved, g2 unsolved)", m[keyGroupsUninformative])
			}
			wantGroups, wantAcc := []int{0, 0, 0, 0, 3, 3}, []float64{0.25, 0.25, 0.25, 0.25, 0.5, 0.5}
			if len(informative) != len(wantGroups) {
				t.Fatalf("%d informative samples, want %d", len(informative), len(wantGroups))
			}
			for i, s := range informative {
				if s.Group != wantGroups[i] || s.GroupAccuracy != wantAcc[i] {
					t.Errorf("informative sample %d: group %d r_q %g, want group %d r_q %g", i, s.Group, s.GroupAccuracy, wantGroups[i], wantAcc[i])
				}
			}
			lc := n.lossConfig()
			if lc.Kind != rl.KindNFT || lc.LossType != rl.LossTypeConstant || lc.Normalizer != 1000 {
				t.Fatalf("loss config kind %q, loss type %q, normaliser %g; want nft, constant, 1000", lc.Kind, lc.LossType, lc.Normalizer)
			}
			dlogp := policyGradient(t, informative, sampleWeights{}, lc, shift...)
			for b, w := range tc.want {
				wantClose(t, fmt.Sprintf("row %d dL/dlogp x 1000", b), 1000*float64(dlogp[b][0]), w, 1e-5)
			}
		})
	}
}

// neg_weight < 0 is the reference's fallback: GRPO's clipped surrogate on the filtered groups.
func TestNFTNegativeWeightFallsBackToClip(t *testing.T) {
	cfg := Defaults()
	cfg.NFT.NegWeight = -1
	lc := (&nft{t: testTrainer(cfg)}).lossConfig()
	if lc.Kind != rl.KindClip || lc.LossType != cfg.LossType {
		t.Fatalf("neg_weight -1: loss kind %q, loss type %q; want clip, %q", lc.Kind, lc.LossType, cfg.LossType)
	}
}
