package rl

import "sort"

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool {
	return x-x == 0
}
