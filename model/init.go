package model

import (
	"math"
	"math/rand/v2"
)

// PyTorch's initialisers, drawn from Go's seeded generators (the values differ from
// PyTorch's; the distributions are the same).

// kaimingNormalFanOutReLU is nn.init.kaiming_normal_(w, mode="fan_out",
// nonlinearity="relu") for a [out, in] weight: N(0, 2/out).
func kaimingNormalFanOutReLU(rng *rand.Rand, p *Param) {
	std := math.Sqrt(2) / math.Sqrt(float64(p.Shape[0]))
	normal(rng, p.Data, std)
}

func normal(rng *rand.Rand, dst []float32, std float64) {
	for i := range dst {
		dst[i] = float32(rng.NormFloat64() * std)
	}
}

// uniform fills dst with U(-bound, bound).
func uniform(rng *rand.Rand, dst []float32, bound float64) {
	for i := range dst {
		dst[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// linearBound is the bound of nn.Linear's default weight init
// (kaiming_uniform_(a=sqrt(5))) and of its bias init: 1/sqrt(fan_in).
func linearBound(fanIn int) float64 { return 1 / math.Sqrt(float64(fanIn)) }

// xavierBound is nn.init.xavier_uniform_'s bound for a [fanOut, fanIn] matrix.
func xavierBound(fanOut, fanIn int) float64 { return math.Sqrt(6 / float64(fanIn+fanOut)) }

func fill(dst []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}

// newRand returns the generator for one parameter: a PCG stream derived from the
// seed and the parameter's position, so that adding a parameter never shifts the
// values of the others.
func newRand(seed int64, parts ...int64) *rand.Rand {
	h := uint64(seed)*0x9e3779b97f4a7c15 + 0x243f6a8885a308d3
	for _, p := range parts {
		h = mix64(h ^ uint64(p))
	}
	return rand.New(rand.NewPCG(h, mix64(h)))
}

// mix64 is the SplitMix64 finalizer.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
