package rl

import (
	"math"
	"reflect"
	"testing"
)

func TestDropZeroVarianceGroups(t *testing.T) {
	s := []Sample{
		{Group: 0, Reward: 1, RewardOK: true}, {Group: 0, Reward: 1, RewardOK: true}, // all equal: dropped
		{Group: 1, Reward: 0, RewardOK: true}, {Group: 1, Reward: 1, RewardOK: true}, // kept
		{Group: 2, Reward: 1, RewardOK: true}, {Group: 2, Reward: 0, RewardOK: false}, // one valid: dropped
		{Group: 3, Reward: math.NaN(), RewardOK: true}, {Group: 3, Reward: 2, RewardOK: true}, {Group: 3, Reward: 3, RewardOK: true}, // NaN ignored, kept
	}
	kept, dropped := DropZeroVarianceGroups(s)
	if dropped != 2 || len(kept) != 5 || kept[0].Group != 1 || kept[2].Group != 3 {
		t.Errorf("kept %d samples (groups %v), dropped %d; want groups 1 and 3 kept, 2 dropped", len(kept), kept, dropped)
	}
	if k, d := DropZeroVarianceGroups(nil); len(k) != 0 || d != 0 {
		t.Error("empty input")
	}
}

func TestOverlongPenalty(t *testing.T) {
	// Lmax 20, cache 4: 0 up to 16, then (16 - n)/4, -1 beyond 20
	cases := []struct {
		n    int
		want float64
	}{{0, 0}, {16, 0}, {17, -0.25}, {18, -0.5}, {20, -1}, {21, -1}}
	for _, c := range cases {
		if got := OverlongPenalty(c.n, 20, 4); got != c.want {
			t.Errorf("OverlongPenalty(%d, 20, 4) = %g, want %g", c.n, got, c.want)
		}
	}
	if OverlongPenalty(20, 20, 0) != 0 || OverlongPenalty(21, 20, 0) != -1 {
		t.Error("hard overlong penalty")
	}
}

func TestMaskTruncated(t *testing.T) {
	s := []Sample{{Truncated: true, Advantage: 0.5}, {}, {Truncated: true}}
	if n := MaskTruncated(s); n != 2 || !s[0].Masked || s[1].Masked || !s[2].Masked || s[0].Advantage != 0.5 {
		t.Errorf("masked %d: %+v", n, s)
	}
	mb, err := MiniBatchFromSamples([]Sample{
		{Turns: []TurnTokens{{Tokens: []int{1, 2}, Logp: []float32{-1, -1}}}, Advantage: 1, Masked: true},
		{Turns: []TurnTokens{{Tokens: []int{3}, Logp: []float32{-1}}}, Advantage: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if mb.Tokens() != 1 || !reflect.DeepEqual(mb.Weight, []float64{0, 1}) {
		t.Errorf("masked sample still counts: tokens %d weights %v", mb.Tokens(), mb.Weight)
	}
	if _, err := MiniBatchFromSamples([]Sample{{Turns: []TurnTokens{{Tokens: []int{1}, Logp: nil}}}}); err == nil {
		t.Error("tokens without log-probs: want an error")
	}
	if _, err := MiniBatchFromSamples([]Sample{{}}); err == nil {
		t.Error("sample without turns: want an error")
	}
}

func TestTopEntropyMask(t *testing.T) {
	ent := [][]float32{{0.1, 0.9, 0.5}, {0.7, 0.2}}
	mask := [][]float64{{1, 1, 1}, {0, 1}} // 0.7 is masked out already
	got := topEntropyMask(ent, mask, 0.5)  // 4 candidates, keep ceil(2) = 0.9 and 0.5
	if want := [][]float64{{0, 1, 1}, {0, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("mask %v, want %v", got, want)
	}
	ones := [][]float64{{1, 1, 1}, {1, 1}}
	if all := topEntropyMask(ent, ones, 1); !reflect.DeepEqual(all, ones) {
		t.Errorf("fraction 1 keeps everything: %v", all)
	}
	if none := topEntropyMask(ent, ones, 0); !reflect.DeepEqual(none, [][]float64{{0, 0, 0}, {0, 0}}) {
		t.Errorf("fraction 0 keeps nothing: %v", none)
	}
}
