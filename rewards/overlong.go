package rewards

import "grit/plugins"

// OverlongPenalty is DAPO's soft overlong punishment for a completion of length n with maximum
// length maxLen and a cache (soft) interval cacheLen:
//
//	R(y) = 0                                  if |y| <= Lmax - Lc
//	R(y) = ((Lmax - Lc) - |y|) / Lc           if Lmax - Lc < |y| <= Lmax
//	R(y) = -1                                 if |y| > Lmax
//
// With cacheLen <= 0 it is a hard cut: 0 up to maxLen, -1 beyond.
func OverlongPenalty(n, maxLen, cacheLen int) float64 {
	soft := maxLen - cacheLen
	switch {
	case n > maxLen:
		return -1
	case cacheLen <= 0 || n <= soft:
		return 0
	default:
		return float64(soft-n) / float64(cacheLen)
	}
}

// Overlong is OverlongPenalty as a reward component.
type Overlong struct {
	Label    string     // component name ("overlong")
	Unit     LengthUnit // chars, words or tokens
	MaxLen   int        // Lmax
	CacheLen int        // Lc, the soft interval before Lmax
}

// Name is the component name.
func (o Overlong) Name() string { return o.Label }

// Grade is the penalty in [-1, 0].
func (o Overlong) Grade(in Input) (float64, error) {
	n, err := CompletionLength(in, o.Unit)
	if err != nil {
		return 0, err
	}
	return OverlongPenalty(n, o.MaxLen, o.CacheLen), nil
}

func newOverlong(p map[string]any) (Func, error) {
	a := plugins.NewArgs(p)
	o := Overlong{
		Label:    a.String("name", "overlong"),
		Unit:     readUnit(a, "unit"),
		MaxLen:   a.Int("max_len", 0),
		CacheLen: a.Int("cache_len", 0),
	}
	if o.MaxLen <= 0 {
		a.Failf("max_len", "must be a positive length (the maximum completion length), got %d", o.MaxLen)
	}
	if o.CacheLen < 0 || o.CacheLen > o.MaxLen {
		a.Failf("cache_len", "must be in [0, max_len=%d], got %d", o.MaxLen, o.CacheLen)
	}
	return o, a.Done()
}
