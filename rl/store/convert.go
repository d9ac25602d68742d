package store

// toInts widens the int32 tokens of a column to the []int of rl.Sample.
func toInts(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}
