package trainers

import (
	"fmt"
	"testing"

	"grit/rl"
)

// TestGRPOAdvantagesHandTable checks the advantages the grpo trainer assembles for three groups of
// four samples with scale_rewards group, batch and none (eps 1e-4, Bessel-corrected stds):
//
//	group  rewards   mean_G  std_G
//	0      1 0 0 1   0.5     sqrt(1/3) = 0.57735
//	1      1 1 1 0   0.75    0.5
//	2      1 1 1 1   1       0          (zero_std_groups = 1, A = 0)
//
// batch: std over all 12 rewards (9 ones, 3 zeros) = sqrt(2.25/11) = 0.452267, the mean per group.
//
//	scale   group 0 (r=1 / r=0)       group 1 (r=1 / r=0)        group 2
//	group   +-0.5/0.57745 = 0.865875  0.25/0.5001 = 0.49990       0
//	                                  -0.75/0.5001 = -1.49970
//	batch   +-0.5/0.452367 = 1.105297 0.25/0.452367 = 0.552649    0
//	                                  -0.75/0.452367 = -1.657946
//	none    +-0.5                     0.25 / -0.75                0
func TestGRPOAdvantagesHandTable(t *testing.T) {
	rewards := [][]float64{{1, 0, 0, 1}, {1, 1, 1, 0}, {1, 1, 1, 1}}
	table := map[string][]float64{
		"group": {0.8658754297607016, -0.8658754297607016, -0.8658754297607016, 0.8658754297607016,
			0.4999000199960008, 0.4999000199960008, 0.4999000199960008, -1.4997000599880024, 0, 0, 0, 0},
		"batch": {1.105297206377441, -1.105297206377441, -1.105297206377441, 1.105297206377441,
			0.5526486031887206, 0.5526486031887206, 0.5526486031887206, -1.6579458095661617, 0, 0, 0, 0},
		"none": {0.5, -0.5, -0.5, 0.5, 0.25, 0.25, 0.25, -0.75, 0, 0, 0, 0},
	}
	for _, scale := range []string{"group", "batch", "none"} {
		t.Run(scale, func(t *testing.T) {
			cfg := Defaults()
			cfg.ScaleRewards = rl.RewardScale(scale)
			g := newGRPO(testTrainer(cfg))
			samples := oneTurnSamples(g.t, rewards...)
			m := Metrics{}
			if err := g.advantages(samples, m); err != nil {
				t.Fatal(err)
			}
			for i, want := range table[scale] {
				wantClose(t, fmt.Sprintf("sample %d (group %d) advantage", i, samples[i].Group), samples[i].Advantage, want, 1e-12)
			}
			if m[keyZeroStdGroups] != 1 {
				t.Errorf("zero_std_groups = %v, want 1 (group 2)", m[keyZeroStdGroups])
			}
		})
	}
}

// TestGRPOLossGradientAssembly follows the grpo trainer's samples into rl.PolicyLoss: group 0 of
// the table above (scale group), one token each, on the first update (rho = 1, nothing clipped) with
// beta 0 and loss_type bnpo (1 / the tokens in the loss), and sample 2 ungraded (its reward component missing). learn gives the
// ungraded sample loss weight 0 and rl leaves it out of its group's statistics, so the graded
// rewards are 1, 0, 1: mean 2/3, std sqrt(1/3) = 0.57735, and
//
//	A = (1 - 2/3)/0.57745 = 0.577250,  (0 - 2/3)/0.57745 = -1.154500
//	dL/dlogp_b = -A_b / 3: the ungraded row's token leaves the loss and its normaliser
//	           = -0.192417, 0.384833, 0, -0.192417
func TestGRPOLossGradientAssembly(t *testing.T) {
	cfg := Defaults()
	cfg.Beta, cfg.LossType = 0, "bnpo"
	g := newGRPO(testTrainer(cfg))
	samples := oneTurnSamples(g.t, []float64{1, 0, 0, 1})
	samples[2].Components[0].OK = false
	g.t.setSampleReward(&samples[2])
	if err := g.advantages(samples, Metrics{}); err != nil {
		t.Fatal(err)
	}
	dlogp := policyGradient(t, samples, sampleWeights{}, g.lossConfig(), 0)
	a1, a0 := (1-2.0/3)/(0.5773502691896257+1e-4), (0-2.0/3)/(0.5773502691896257+1e-4)
	want := []float64{-a1 / 3, -a0 / 3, 0, -a1 / 3}
	wantClose(t, "A_1 (hand)", a1, 0.577250, 1e-5)
	for b, w := range want {
		wantClose(t, fmt.Sprintf("row %d dL/dlogp", b), float64(dlogp[b][0]), w, 1e-6)
	}
}

// policyGradient runs the trainer's assembly of learnWeighted (lossRows: ungraded samples masked
// and weighted 0, per-row loss and KL factors) on samples and returns rl.PolicyLoss's dL/dlogp with
// every token's log-prob moved by shift[b] from its sampling log-prob (shift nil or a constant 0:
// the first update, rho = 1).
func policyGradient(t *testing.T, samples []rl.Sample, w sampleWeights, lc rl.LossConfig, shift ...float64) [][]float32 {
	t.Helper()
	rw := lossRows(samples, w)
	mb, err := rl.MiniBatchFromSamples(samples)
	if err != nil {
		t.Fatal(err)
	}
	mb.Rows = make([]int, mb.Len()) // row b of the step's record, as Rollouts.MiniBatch sets it
	for b := range mb.Rows {
		mb.Rows[b] = b
	}
	rw.apply(&mb)
	if lc.LossType == rl.LossTypeDAPO {
		lc.GenerationTokens = mb.Tokens() // as update does
	}
	logp := make([][]float32, mb.Len())
	for b := range logp {
		d := 0.0
		if b < len(shift) {
			d = shift[b]
		}
		logp[b] = make([]float32, len(mb.OldLogp[b]))
		for k, old := range mb.OldLogp[b] {
			logp[b][k] = float32(float64(old) + d)
		}
	}
	res, err := rl.PolicyLoss(lc, mb, logp, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.DLogp
}
