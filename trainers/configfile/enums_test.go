package configfile

import (
	"strings"
	"testing"

	"grit/rl"
	"grit/tensor"
	"grit/trainers"
)

// Every enumerated key decodes into its typed constant (the one spelling the code compares), and a
// value outside the set is refused with the key and the valid spellings.
func TestEnumeratedKeysDecodeToTypedConstants(t *testing.T) {
	cfg, err := Load("", []string{
		"algo=nft", "lr_schedule=cosine", "loss_type=dr_grpo", "scale_rewards=none", "estimator=rloo",
		"score.estimator=grpo", "nft.prompt_weight=sqrt", "hdpo.efficiency=tokens",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.Algo, cfg.LRSchedule, cfg.LossType, cfg.ScaleRewards, cfg.Estimator, cfg.SCoRe.Estimator, cfg.NFT.PromptWeight, cfg.HDPO.Efficiency}
	want := []any{trainers.AlgoNFT, tensor.ScheduleCosine, rl.LossTypeDrGRPO, rl.ScaleNone, rl.EstimatorRLOO, trainers.SCoReClip, rl.PromptWeightSqrt, trainers.EfficiencyTokens}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d decoded to %#v, want %#v", i, got[i], want[i])
		}
	}
	def := trainers.Defaults()
	if def.NFT.PromptWeight != rl.PromptWeightOneMinusR || def.LRSchedule != tensor.ScheduleConstant {
		t.Errorf("defaults nft.prompt_weight %q, lr_schedule %q; want rl.PromptWeightOneMinusR and tensor.ScheduleConstant", def.NFT.PromptWeight, def.LRSchedule)
	}
	for _, c := range []struct{ set, want string }{
		{"nft.prompt_weight=1-r", `nft.prompt_weight: "1-r" is not valid; use one of one_minus_r, sqrt`},
		{"loss_type=constant", `loss_type: "constant" is not valid; use one of grpo, bnpo, dr_grpo, dapo`},
		{"estimator=hdpo", `estimator: "hdpo" is not valid; use one of grpo, rloo`},
		{"hdpo.efficiency=words", `hdpo.efficiency: "words" is not valid; use one of tool_calls, tokens`},
		{"score.estimator=clip", `score.estimator: "clip" is not valid; use one of reinforce, grpo`},
		{"lr_schedule=step", `lr_schedule: "step" is not valid; use one of constant, linear, cosine`},
	} {
		_, err := Load("", []string{c.set}, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--set %s: error %v, want it to contain %q", c.set, err, c.want)
		}
	}
}
