package metrics

import (
	"math"
	"slices"
)

// floatKey maps a float64 to a uint64 whose unsigned order is the numeric order
// (-0 and +0 map to the same key; NaN sorts past +Inf).
func floatKey(f float64) uint64 {
	if f == 0 {
		f = 0
	}
	b := math.Float64bits(f)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// sortDescending returns the indices of scores ordered by decreasing score. It is an LSD radix
// sort on 8-bit digits that skips digits all keys share, so a million scores in [0,1] sort in
// a few tens of milliseconds; ties keep their input order.
func sortDescending(scores []float64) []int32 {
	n := len(scores)
	idx := make([]int32, n)
	keys := make([]uint64, n)
	for i, s := range scores {
		idx[i] = int32(i)
		keys[i] = ^floatKey(s)
	}
	if n < 256 {
		slices.SortStableFunc(idx, func(a, b int32) int {
			ka, kb := keys[a], keys[b]
			switch {
			case ka < kb:
				return -1
			case ka > kb:
				return 1
			}
			return 0
		})
		return idx
	}
	tmpKeys := make([]uint64, n)
	tmpIdx := make([]int32, n)
	for shift := uint(0); shift < 64; shift += 8 {
		var count [256]int
		for _, k := range keys {
			count[(k>>shift)&255]++
		}
		if count[(keys[0]>>shift)&255] == n {
			continue
		}
		pos := 0
		for d := range count {
			c := count[d]
			count[d] = pos
			pos += c
		}
		for i, k := range keys {
			d := (k >> shift) & 255
			p := count[d]
			count[d]++
			tmpKeys[p] = k
			tmpIdx[p] = idx[i]
		}
		keys, tmpKeys = tmpKeys, keys
		idx, tmpIdx = tmpIdx, idx
	}
	return idx
}
