package cpu

import (
	"fmt"
	"math"
	"math/bits"
)

// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// philoxBlock returns the 4 words of the block with the given 128-bit counter and key.
func philoxBlock(ctrHi, ctrLo, key uint64) [4]uint32 {
	c := [4]uint32{uint32(ctrLo), uint32(ctrLo >> 32), uint32(ctrHi), uint32(ctrHi >> 32)}
	k0, k1 := uint32(key), uint32(key>>32)
	for r := 0; r < 10; r++ {
		hi0, lo0 := bits.Mul32(philoxM0, c[0])
		hi1, lo1 := bits.Mul32(philoxM1, c[2])
		c = [4]uint32{hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0}
		k0 += philoxW0
		k1 += philoxW1
	}
	return c
}

// addCounter adds n to the 128-bit counter (hi, lo).
func addCounter(hi, lo uint64, n uint64) (uint64, uint64) {
	lo2, carry := bits.Add64(lo, n, 0)
	return hi + carry, lo2
}

// philoxWords fills words from the state's counter onwards (4 words per block).
func philoxWords(state []uint64, words []uint32) {
	blocks := (len(words) + 3) / 4
	parallelChunks(blocks, grainFor(blocks, 40), func(lo, hi int) {
		for blk := lo; blk < hi; blk++ {
			ch, cl := addCounter(state[1], state[2], uint64(blk))
			w := philoxBlock(ch, cl, state[0])
			copy(words[blk*4:], w[:])
		}
	})
}

func runRNGValues(x *node, out any, in []any) error {
	state := in[0].([]uint64)
	if o, ok := out.([]uint32); ok && len(o) == x.rngWords {
		philoxWords(state, o) // the common case (random uniforms): no staging copy
		return nil
	}
	words := make([]uint32, x.rngWords)
	philoxWords(state, words)
	switch o := out.(type) {
	case []uint32:
		copy(o, words)
	case []int32:
		for i := range o {
			o[i] = int32(words[i])
		}
	case []uint64:
		for i := range o {
			o[i] = uint64(words[2*i]) | uint64(words[2*i+1])<<32
		}
	case []int64:
		for i := range o {
			o[i] = int64(uint64(words[2*i]) | uint64(words[2*i+1])<<32)
		}
	case []float32:
		for i := range o {
			o[i] = math.Float32frombits(words[i])
		}
	case []float64:
		for i := range o {
			o[i] = math.Float64frombits(uint64(words[2*i]) | uint64(words[2*i+1])<<32)
		}
	case []uint16:
		for i := range o {
			o[i] = uint16(words[i/2] >> (16 * (i % 2)))
		}
	case []int16:
		for i := range o {
			o[i] = int16(words[i/2] >> (16 * (i % 2)))
		}
	case []uint8:
		for i := range o {
			o[i] = uint8(words[i/4] >> (8 * (i % 4)))
		}
	case []int8:
		for i := range o {
			o[i] = int8(words[i/4] >> (8 * (i % 4)))
		}
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

func runRNGState(x *node, out []uint64, in []any) {
	state := in[0].([]uint64)
	blocks := uint64((x.rngWords + 3) / 4)
	out[0] = state[0]
	out[1], out[2] = addCounter(state[1], state[2], blocks)
}
