package main

import (
	"fmt"
	"math"
)

// mathConsts are the constants of the float32 exp and erf loops, in the table vk4<>,
// each stored 4 times (32 bytes) so that AVX2 can use them as memory operands; the
// AVX-512 loops broadcast them into registers.
var mathConsts = func() (c []struct {
	name string
	bits uint64
}) {
	add := func(name string, bits uint64) {
		c = append(c, struct {
			name string
			bits uint64
		}{name, bits})
	}
	add("lo", math.Float64bits(-110))
	add("hi", math.Float64bits(90))
	add("inv", math.Float64bits(1/math.Ln2))
	add("ln2hi", math.Float64bits(6.93147180369123816490e-01))
	add("ln2lo", math.Float64bits(1.90821492927058770002e-10))
	add("bias", 1023)
	add("sign", 1<<63)
	add("abs", 1<<63-1)
	add("eight", math.Float64bits(8))
	add("one", math.Float64bits(1))
	add("four", math.Float64bits(4))
	add("clamp", math.Float64bits(4*(1-0x1p-52)))
	add("fifteen", 15)
	for d := expDegree32; d >= 0; d-- { // 1/d!
		f := 1.0
		for i := 2; i <= d; i++ {
			f *= float64(i)
		}
		add(fmt.Sprintf("c%d", d), math.Float64bits(1/f))
	}
	return c
}()

// emitMathConsts writes the table vk4<>.
func emitMathConsts(w *writer) {
	for i, c := range mathConsts {
		for l := 0; l < 4; l++ {
			w.f("DATA vk4<>+%d(SB)/8, $0x%016x", 32*i+8*l, c.bits)
		}
	}
	w.f("GLOBL vk4<>(SB), RODATA|NOPTR, $%d", 32*len(mathConsts))
	w.f("")
}

// mathConst is the memory operand of the named constant in vk4<>.
func mathConst(name string) string {
	for i, c := range mathConsts {
		if c.name == name {
			return fmt.Sprintf("vk4<>+%d(SB)", 32*i)
		}
	}
	panic("no math constant " + name)
}

// emitAVX2Math writes expAVX2 and erfAVX2: the AVX2 forms of expAVX512 and erfAVX512
// (same operations in the same order, so the Go loops' bits), 4 values per step in
// ymm float64 lanes. Constants are memory operands (AVX2 has 16 vector registers);
// erf fetches its piece coefficients with VGATHERQPD, its piece index masked to 0-15
// so a NaN lane never reads outside the table.
func emitAVX2Math(w *writer) {
	k := mathConst
	w.f("// func expAVX2(n int, dst, src *float32)")
	w.f("// exp of n float32 values (n a multiple of 4).")
	w.f("TEXT ·expAVX2(SB), NOSPLIT, $0-24")
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ dst+8(FP), DI")
	w.op("MOVQ src+16(FP), SI")
	w.op("VMOVUPD %s, Y6", k("lo"))
	w.op("VMOVUPD %s, Y7", k("hi"))
	w.op("SHRQ $2, CX")
	w.op("TESTQ CX, CX")
	w.op("JZ expAVX2_done")
	w.f("expAVX2_loop:")
	w.op("VCVTPS2PD (SI), Y0")
	w.op("VMAXPD Y0, Y6, Y0") // max(lo, x); NaN stays NaN
	w.op("VMINPD Y0, Y7, Y0")
	w.op("VMULPD %s, Y0, Y1", k("inv"))
	w.op("VROUNDPD $0, Y1, Y1") // k, nearest even
	w.op("VMULPD %s, Y1, Y2", k("ln2hi"))
	w.op("VSUBPD Y2, Y0, Y2")
	w.op("VMULPD %s, Y1, Y3", k("ln2lo"))
	w.op("VSUBPD Y3, Y2, Y2") // r
	w.op("VMOVUPD %s, Y4", k(fmt.Sprintf("c%d", expDegree32)))
	for d := expDegree32 - 1; d >= 0; d-- {
		w.op("VMULPD Y2, Y4, Y4")
		w.op("VADDPD %s, Y4, Y4", k(fmt.Sprintf("c%d", d)))
	}
	w.op("VCVTTPD2DQY Y1, X5")
	w.op("VPMOVSXDQ X5, Y5")
	w.op("VPADDQ %s, Y5, Y5", k("bias"))
	w.op("VPSLLQ $52, Y5, Y5")
	w.op("VMULPD Y5, Y4, Y4")
	w.op("VCVTPD2PSY Y4, X4")
	w.op("VMOVUPS X4, (DI)")
	w.op("ADDQ $16, SI")
	w.op("ADDQ $16, DI")
	w.op("DECQ CX")
	w.op("JNZ expAVX2_loop")
	w.f("expAVX2_done:")
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")

	w.f("// func erfAVX2(n int, dst, src *float32, table *float64)")
	w.f("// erf of n float32 values (n a multiple of 4); table holds 8 coefficients × 16 pieces.")
	w.f("TEXT ·erfAVX2(SB), NOSPLIT, $0-32")
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ dst+8(FP), DI")
	w.op("MOVQ src+16(FP), SI")
	w.op("MOVQ table+24(FP), AX")
	w.op("VMOVUPD %s, Y14", k("clamp"))
	w.op("SHRQ $2, CX")
	w.op("TESTQ CX, CX")
	w.op("JZ erfAVX2_done")
	w.f("erfAVX2_loop:")
	w.op("VCVTPS2PD (SI), Y0")             // x
	w.op("VANDPD %s, Y0, Y1", k("abs"))    // |x|
	w.op("VMINPD Y1, Y14, Y1")             // z = min(clamp, |x|); NaN stays NaN
	w.op("VMULPD %s, Y1, Y2", k("four"))   // 4z
	w.op("VROUNDPD $3, Y2, Y2")            // i = trunc(4z)
	w.op("VCVTTPD2DQY Y2, X3")             //
	w.op("VPMOVSXDQ X3, Y3")               //
	w.op("VPAND %s, Y3, Y3", k("fifteen")) // a NaN lane's index becomes 0
	w.op("VADDPD Y2, Y2, Y4")              // 2i
	w.op("VADDPD %s, Y4, Y4", k("one"))    // 2i+1
	w.op("VMULPD %s, Y1, Y5", k("eight"))  // 8z
	w.op("VSUBPD Y4, Y5, Y5")              // t
	w.op("VPCMPEQD Y8, Y8, Y8")
	w.op("VGATHERQPD Y8, %d(AX)(Y3*8), Y6", 128*7) // p = c7
	for c := 6; c >= 0; c-- {
		w.op("VPCMPEQD Y8, Y8, Y8")
		w.op("VGATHERQPD Y8, %d(AX)(Y3*8), Y7", 128*c)
		w.op("VMULPD Y5, Y6, Y6")
		w.op("VADDPD Y7, Y6, Y6")
	}
	w.op("VMULPD Y6, Y1, Y6")
	w.op("VANDPD %s, Y0, Y9", k("sign"))
	w.op("VORPD Y9, Y6, Y6")
	w.op("VCVTPD2PSY Y6, X6")
	w.op("VMOVUPS X6, (DI)")
	w.op("ADDQ $16, SI")
	w.op("ADDQ $16, DI")
	w.op("DECQ CX")
	w.op("JNZ erfAVX2_loop")
	w.f("erfAVX2_done:")
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}
