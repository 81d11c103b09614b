package data

import "math/rand/v2"

// Hash64 mixes a seed and integer parts into a well-spread 64-bit value
// (SplitMix64 finalizer applied after each part). It is the one place where
// fairclip derives per-(seed, epoch, sample, view) randomness, so that the same
// tuple gives the same value in every package and on every platform.
func Hash64(seed int64, parts ...int64) uint64 {
	h := splitmix64(uint64(seed) ^ 0x243f6a8885a308d3)
	for _, p := range parts {
		h = splitmix64(h ^ uint64(p))
	}
	return h
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NewRand returns a PCG generator seeded from Hash64(seed, parts...).
func NewRand(seed int64, parts ...int64) *rand.Rand {
	h := Hash64(seed, parts...)
	return rand.New(rand.NewPCG(h, splitmix64(h)))
}
