package main

import "fmt"

// emitErf writes erfAVX512, the vector form of kernels' erf (kernels/erf.go): per 8
// float32 values, in float64 lanes, z = min(|x|, 4-2^-50); piece i = trunc(4z); t =
// 8z - (2i+1); g = c0 + t(c1 + ... t·c7) with piece i's coefficients picked from the
// table by VPERMI2PD (16 pieces in two registers per coefficient); erf = z·g with x's
// sign, rounded to float32. The operations and their order are those of the Go loop
// (separate multiplies and adds, no FMA), so both give the same bits.
func emitErf(w *writer) {
	w.f("// func erfAVX512(n int, dst, src *float32, table *float64)")
	w.f("// erf of n float32 values (n a multiple of 8); table holds 8 coefficients × 16 pieces.")
	w.f("TEXT ·erfAVX512(SB), NOSPLIT, $0-32")
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ dst+8(FP), DI")
	w.op("MOVQ src+16(FP), SI")
	w.op("MOVQ table+24(FP), AX")
	// Z16+2k, Z17+2k: coefficient k of pieces 0-7 and 8-15.
	for k := 0; k < 8; k++ {
		w.op("VMOVUPD %d(AX), Z%d", 128*k, 16+2*k)
		w.op("VMOVUPD %d(AX), Z%d", 128*k+64, 17+2*k)
	}
	for _, rc := range [][2]string{{"Z10", "sign"}, {"Z15", "abs"}, {"Z11", "eight"}, {"Z12", "one"}, {"Z13", "four"}, {"Z14", "clamp"}} {
		w.op("VBROADCASTSD %s, %s", mathConst(rc[1]), rc[0])
	}
	w.op("SHRQ $3, CX")
	w.op("TESTQ CX, CX")
	w.op("JZ erfAVX512_done")
	w.f("erfAVX512_loop:")
	w.op("VCVTPS2PD (SI), Z0")     // x
	w.op("VPANDQ Z15, Z0, Z1")     // |x|
	w.op("VMINPD Z1, Z14, Z1")     // z = min(clamp, |x|); NaN stays NaN
	w.op("VMULPD Z13, Z1, Z2")     // 4z
	w.op("VRNDSCALEPD $3, Z2, Z2") // i = trunc(4z), as a float
	w.op("VCVTTPD2DQ Z2, Y3")      // i as int32
	w.op("VPMOVZXDQ Y3, Z3")       // i as int64 lanes: the permutation index
	w.op("VADDPD Z2, Z2, Z4")      // 2i
	w.op("VADDPD Z12, Z4, Z4")     // 2i+1
	w.op("VMULPD Z11, Z1, Z5")     // 8z
	w.op("VSUBPD Z4, Z5, Z5")      // t = 8z - (2i+1)
	w.op("VMOVDQA64 Z3, Z6")       //
	w.op("VPERMI2PD Z31, Z30, Z6") // p = c7
	for k := 6; k >= 0; k-- {
		w.op("VMOVDQA64 Z3, Z7")
		w.op("VPERMI2PD Z%d, Z%d, Z7", 17+2*k, 16+2*k) // c_k
		w.op("VMULPD Z5, Z6, Z6")                      // t·p
		w.op("VADDPD Z7, Z6, Z6")                      // c_k + t·p
	}
	w.op("VMULPD Z6, Z1, Z6")  // z·g
	w.op("VPANDQ Z10, Z0, Z8") // x's sign
	w.op("VPORQ Z8, Z6, Z6")
	w.op("VCVTPD2PS Z6, Y6")
	w.op("VMOVUPS Y6, (DI)")
	w.op("ADDQ $32, SI")
	w.op("ADDQ $32, DI")
	w.op("DECQ CX")
	w.op("JNZ erfAVX512_loop")
	w.f("erfAVX512_done:")
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

// expDegree32 is the degree of the Taylor polynomial of e^r, |r| <= ln2/2, in
// kernels' float32 exponential: the first omitted term is below 6e-15 relative.
const expDegree32 = 11

// emitExp writes expAVX512, the vector form of kernels.Exp64 over float32 values (see
// kernels/exp.go): per 8 values in float64 lanes, x clamped to [-110, 90] (NaN kept),
// k = round(x/ln2) to nearest even, r = (x - k·ln2hi) - k·ln2lo, p = Taylor polynomial
// of e^r by Horner (separate multiplies and adds), times 2^k built in the exponent
// field, rounded to float32: the Go loop's operations in its order, so the same bits.
func emitExp(w *writer) {
	w.f("// func expAVX512(n int, dst, src *float32)")
	w.f("// exp of n float32 values (n a multiple of 8).")
	w.f("TEXT ·expAVX512(SB), NOSPLIT, $0-24")
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ dst+8(FP), DI")
	w.op("MOVQ src+16(FP), SI")
	// Z8 lo, Z9 hi, Z10 1/ln2, Z11 ln2hi, Z12 ln2lo, Z13 bias (int64), Z14.. 1/11!, ..., 1/0!.
	names := []string{"lo", "hi", "inv", "ln2hi", "ln2lo", "bias"}
	for d := expDegree32; d >= 0; d-- {
		names = append(names, fmt.Sprintf("c%d", d))
	}
	for i, name := range names {
		w.op("VPBROADCASTQ %s, Z%d", mathConst(name), 8+i)
	}
	w.op("SHRQ $3, CX")
	w.op("TESTQ CX, CX")
	w.op("JZ expAVX512_done")
	w.f("expAVX512_loop:")
	w.op("VCVTPS2PD (SI), Z0")
	w.op("VMAXPD Z0, Z8, Z0")      // max(lo, x); NaN stays NaN
	w.op("VMINPD Z0, Z9, Z0")      // min(hi, x)
	w.op("VMULPD Z10, Z0, Z1")     // x/ln2
	w.op("VRNDSCALEPD $0, Z1, Z1") // k, nearest even
	w.op("VMULPD Z11, Z1, Z2")     // k·ln2hi
	w.op("VSUBPD Z2, Z0, Z2")      // x - k·ln2hi
	w.op("VMULPD Z12, Z1, Z3")     // k·ln2lo
	w.op("VSUBPD Z3, Z2, Z2")      // r
	w.op("VMOVAPD Z14, Z4")        // p = 1/11!
	for c := 15; c <= 14+expDegree32; c++ {
		w.op("VMULPD Z2, Z4, Z4")     // p·r
		w.op("VADDPD Z%d, Z4, Z4", c) // + 1/d!
	}
	w.op("VCVTTPD2DQ Z1, Y5") // k as int32
	w.op("VPMOVSXDQ Y5, Z5")  // as int64
	w.op("VPADDQ Z13, Z5, Z5")
	w.op("VPSLLQ $52, Z5, Z5") // 2^k
	w.op("VMULPD Z5, Z4, Z4")
	w.op("VCVTPD2PS Z4, Y4")
	w.op("VMOVUPS Y4, (DI)")
	w.op("ADDQ $32, SI")
	w.op("ADDQ $32, DI")
	w.op("DECQ CX")
	w.op("JNZ expAVX512_loop")
	w.f("expAVX512_done:")
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}
