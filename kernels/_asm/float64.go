package main

// The float64 loops of the fairness loss (see kernels/float64.go): dot product, axpy
// and the exponential sums of a log-sum-exp over the rows of a cost matrix.
//
// Tails are masked, never scalar: AVX-512 uses opmask registers, AVX2 VMASKMOVPD,
// both of which suppress faults on the masked-off lanes, so no row is read past its
// end. Horizontal reductions always fold the upper half of a vector onto the lower
// half (lane i with lane i+w/2, then i+w/4, ...), so a result depends only on the
// kernel and the input, never on where the data lies or how work is split.

import (
	"fmt"
	"math"
)

// f64 describes one vector ISA for the float64 loops.
type f64 struct {
	suffix string // function name suffix: "AVX512" or "AVX2"
	reg    string // "Z" or "Y"
	width  int    // float64 lanes
}

var f64s = []f64{
	{suffix: "AVX512", reg: "Z", width: 8},
	{suffix: "AVX2", reg: "Y", width: 4},
}

func (f f64) avx512() bool { return f.width == 8 }

func (f f64) r(i int) string { return fmt.Sprintf("%s%d", f.reg, i) }

// expConst lists the constants of the vector exponential, in the order of the table
// expc<> (each stored 4 times, 32 bytes, so AVX2 can use it as a memory operand).
var expConst = []struct {
	name string
	bits uint64
}{
	{"invln2", math.Float64bits(1 / math.Ln2)},
	{"round", math.Float64bits(1.5 * (1 << 52))}, // adding then subtracting rounds to an integer
	{"ln2hi", math.Float64bits(6.93147180369123816490e-01)},
	{"ln2lo", math.Float64bits(1.90821492927058770002e-10)},
	{"bias", 1023 << 52}, // exponent bias, shifted into place
	{"neginf", math.Float64bits(math.Inf(-1))},
	{"one", math.Float64bits(1)},
	{"iota", 0}, // int64 lanes 0, 1, 2, 3 (AVX2 tail masks); filled specially
	// The logarithm of logSum.
	{"lnoff", 0x3fe6a09e00000000}, // just below sqrt(1/2)
	{"himask", 0xfff0000000000000},
	{"magic", 0x4330000000000000}, // 2^52: integer k in the low bits of 2^52 + k
	{"l1", math.Float64bits(2.0 / 3)},
	{"l2", math.Float64bits(2.0 / 5)},
	{"l3", math.Float64bits(2.0 / 7)},
	{"l4", math.Float64bits(2.0 / 9)},
	{"l5", math.Float64bits(2.0 / 11)},
	{"l6", math.Float64bits(2.0 / 13)},
	{"l7", math.Float64bits(2.0 / 15)},
	{"l8", math.Float64bits(2.0 / 17)},
	{"l9", math.Float64bits(2.0 / 19)},
	{"l10", math.Float64bits(2.0 / 21)},
	{"l11", math.Float64bits(2.0 / 23)},
}

// logTerms is the number of terms 2f^(2i+1)/(2i+1), i >= 1, of the series of ln z,
// |f| <= 0.1716: the first omitted term is below 1e-18 of 2f.
const logTerms = 11

// expDegree is the degree of the Taylor polynomial of e^r on |r| <= ln2/2: the first
// omitted term is below 4.2e-18, 6e-18 relative.
const expDegree = 13

func expConstOff(name string) int {
	for i, c := range expConst {
		if c.name == name {
			return 32 * i
		}
	}
	if len(name) > 1 && name[0] == 'c' {
		var n int
		fmt.Sscanf(name[1:], "%d", &n)
		return 32 * (len(expConst) + n - 2)
	}
	panic("no constant " + name)
}

func expMem(name string) string { return fmt.Sprintf("expc<>+%d(SB)", expConstOff(name)) }

// emitExpData writes the constant table expc<>.
func emitExpData(w *writer) {
	off := 0
	put := func(bits uint64) {
		w.f("DATA expc<>+%d(SB)/8, $0x%016x", off, bits)
		off += 8
	}
	for _, c := range expConst {
		for l := 0; l < 4; l++ {
			if c.name == "iota" {
				put(uint64(l))
			} else {
				put(c.bits)
			}
		}
	}
	fact := 1.0
	for n := 2; n <= expDegree; n++ {
		fact *= float64(n)
		for l := 0; l < 4; l++ {
			put(math.Float64bits(1 / fact)) // n! is exact in float64 up to 22!
		}
	}
	w.f("GLOBL expc<>(SB), RODATA|NOPTR, $%d", off)
	w.f("")
}

// dot emits func dotF64<suffix>(n int, a, b *float64) float64: four accumulators over
// 4 vectors per step, then single vectors into the first, then the masked tail into
// the first; the result is ((acc0+acc1)+(acc2+acc3)) folded horizontally.
func (f f64) dot(w *writer) {
	name := "dotF64" + f.suffix
	vb := 8 * f.width
	w.f("// func %s(n int, a, b *float64) float64", name)
	w.f("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ a+8(FP), SI")
	w.op("MOVQ b+16(FP), DI")
	for i := 0; i < 4; i++ {
		w.op("VXORPD %s, %s, %s", f.r(i), f.r(i), f.r(i))
	}
	w.op("MOVQ CX, DX")
	w.op("SHRQ $%d, DX", log2(4*f.width))
	w.op("JZ %s_single", name)
	w.f("%s_loop4:", name)
	for i := 0; i < 4; i++ {
		w.op("VMOVUPD %d(SI), %s", i*vb, f.r(4+i))
	}
	for i := 0; i < 4; i++ {
		w.op("VFMADD231PD %d(DI), %s, %s", i*vb, f.r(4+i), f.r(i))
	}
	w.op("ADDQ $%d, SI", 4*vb)
	w.op("ADDQ $%d, DI", 4*vb)
	w.op("DECQ DX")
	w.op("JNZ %s_loop4", name)
	w.f("%s_single:", name)
	w.op("MOVQ CX, DX")
	w.op("ANDQ $%d, DX", 4*f.width-1)
	w.op("SHRQ $%d, DX", log2(f.width))
	w.op("JZ %s_tail", name)
	w.f("%s_loop1:", name)
	w.op("VMOVUPD (SI), %s", f.r(4))
	w.op("VFMADD231PD (DI), %s, %s", f.r(4), f.r(0))
	w.op("ADDQ $%d, SI", vb)
	w.op("ADDQ $%d, DI", vb)
	w.op("DECQ DX")
	w.op("JNZ %s_loop1", name)
	w.f("%s_tail:", name)
	w.op("ANDQ $%d, CX", f.width-1)
	w.op("JZ %s_reduce", name)
	f.tailMask(w, "CX", 12)
	f.maskedLoad(w, "(SI)", 4, 12)
	f.maskedLoad(w, "(DI)", 5, 12)
	w.op("VFMADD231PD %s, %s, %s", f.r(5), f.r(4), f.r(0))
	w.f("%s_reduce:", name)
	w.op("VADDPD %s, %s, %s", f.r(1), f.r(0), f.r(0))
	w.op("VADDPD %s, %s, %s", f.r(3), f.r(2), f.r(2))
	w.op("VADDPD %s, %s, %s", f.r(2), f.r(0), f.r(0))
	f.fold(w, "VADDPD", 0, 1)
	w.op("VMOVSD X0, ret+24(FP)")
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

// axpy emits func axpyF64<suffix>(n int, alpha float64, x, y *float64): y += alpha*x
// with one fused multiply-add per element.
func (f f64) axpy(w *writer) {
	name := "axpyF64" + f.suffix
	vb := 8 * f.width
	w.f("// func %s(n int, alpha float64, x, y *float64)", name)
	w.f("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	w.op("MOVQ n+0(FP), CX")
	w.op("VBROADCASTSD alpha+8(FP), %s", f.r(8))
	w.op("MOVQ x+16(FP), SI")
	w.op("MOVQ y+24(FP), DI")
	w.op("MOVQ CX, DX")
	w.op("SHRQ $%d, DX", log2(4*f.width))
	w.op("JZ %s_single", name)
	w.f("%s_loop4:", name)
	for i := 0; i < 4; i++ {
		w.op("VMOVUPD %d(DI), %s", i*vb, f.r(i))
	}
	for i := 0; i < 4; i++ {
		w.op("VFMADD231PD %d(SI), %s, %s", i*vb, f.r(8), f.r(i))
	}
	for i := 0; i < 4; i++ {
		w.op("VMOVUPD %s, %d(DI)", f.r(i), i*vb)
	}
	w.op("ADDQ $%d, SI", 4*vb)
	w.op("ADDQ $%d, DI", 4*vb)
	w.op("DECQ DX")
	w.op("JNZ %s_loop4", name)
	w.f("%s_single:", name)
	w.op("MOVQ CX, DX")
	w.op("ANDQ $%d, DX", 4*f.width-1)
	w.op("SHRQ $%d, DX", log2(f.width))
	w.op("JZ %s_tail", name)
	w.f("%s_loop1:", name)
	w.op("VMOVUPD (DI), %s", f.r(0))
	w.op("VFMADD231PD (SI), %s, %s", f.r(8), f.r(0))
	w.op("VMOVUPD %s, (DI)", f.r(0))
	w.op("ADDQ $%d, SI", vb)
	w.op("ADDQ $%d, DI", vb)
	w.op("DECQ DX")
	w.op("JNZ %s_loop1", name)
	w.f("%s_tail:", name)
	w.op("ANDQ $%d, CX", f.width-1)
	w.op("JZ %s_done", name)
	f.tailMask(w, "CX", 12)
	f.maskedLoad(w, "(DI)", 0, 12)
	f.maskedLoad(w, "(SI)", 1, 12)
	w.op("VFMADD231PD %s, %s, %s", f.r(1), f.r(8), f.r(0))
	f.maskedStore(w, 0, "(DI)", 12)
	w.f("%s_done:", name)
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

// tailMask sets the tail mask for count (1..width-1) lanes from the register count:
// opmask K<m> for AVX-512 (m is then taken as 2), vector register <m> for AVX2.
// It clobbers AX.
func (f f64) tailMask(w *writer, count string, m int) {
	if f.avx512() {
		w.op("MOVL $1, AX")
		if count != "CX" {
			w.op("MOVQ %s, CX", count)
		}
		w.op("SHLL CX, AX")
		w.op("DECL AX")
		w.op("KMOVW AX, K2")
		return
	}
	w.op("MOVQ %s, X%d", count, m)
	w.op("VPBROADCASTQ X%d, Y%d", m, m)
	w.op("VPCMPGTQ %s, Y%d, Y%d", expMem("iota"), m, m)
}

// maskedLoad loads the tail lanes of mem into register dst, zeroing the others.
func (f f64) maskedLoad(w *writer, mem string, dst, m int) {
	if f.avx512() {
		w.op("VMOVUPD.Z %s, K2, %s", mem, f.r(dst))
		return
	}
	w.op("VMASKMOVPD %s, Y%d, %s", mem, m, f.r(dst))
}

// maskedStore stores the tail lanes of register src to mem.
func (f f64) maskedStore(w *writer, src int, mem string, m int) {
	if f.avx512() {
		w.op("VMOVUPD %s, K2, %s", f.r(src), mem)
		return
	}
	w.op("VMASKMOVPD %s, Y%d, %s", f.r(src), m, mem)
}

// fold reduces register v horizontally with op (lane i with lane i+w/2, ...), leaving
// the result in lane 0 of X<v>; t is a scratch register number.
func (f f64) fold(w *writer, op string, v, t int) {
	if f.avx512() {
		w.op("VEXTRACTF64X4 $1, Z%d, Y%d", v, t)
		w.op("%s Y%d, Y%d, Y%d", op, t, v, v)
	}
	w.op("VEXTRACTF128 $1, Y%d, X%d", v, t)
	w.op("%s X%d, X%d, X%d", op, t, v, v)
	w.op("VPERMILPD $1, X%d, X%d", v, t)
	w.op("%s X%d, X%d, X%d", op, t, v, v)
}

// expSumRows emits func expSumRows<suffix>(rows, cols int, c, h, dst *float64,
// dstStride int, mx, sum *float64, inv, negCut float64, normalize bool). Per row i of
// the rows×cols matrix c (cols >= 1): v_j = h_j - inv*c_ij (one fused multiply-add),
// stored in dst; mx_i = max_j v_j, NaN ignored; e_j = exp(v_j - mx_i) where
// v_j - mx_i > negCut, else 0, stored over v; sum_i = Σ e_j in lanes, folded; with
// normalize, dst row *= 1/sum_i. dst advances dstStride bytes a row (0 reuses one row).
//
// e^t: t = k·ln2 + r with k = round(t/ln2), |r| <= ln2/2 (ln2 split in two), e^r by
// its Taylor polynomial of degree 13, 2^k built in the exponent field
// from the low bits of t/ln2 + 1.5·2^52. For t > -50, k >= -73: no subnormals.
func (f f64) expSumRows(w *writer) {
	name := "expSumRows" + f.suffix
	z := f.avx512()
	vb := 8 * f.width
	// Constant operands: registers for AVX-512 (32 of them), memory for AVX2.
	regOf := map[string]int{"inv": 31, "negcut": 30, "invln2": 29, "round": 28, "ln2hi": 27,
		"ln2lo": 26, "bias": 25, "neginf": 24, "one": 10}
	if !z {
		regOf = map[string]int{"inv": 15, "negcut": 14, "neginf": 13}
	}
	k := func(c string) string {
		if z && len(c) > 1 && c[0] == 'c' {
			var n int
			fmt.Sscanf(c[1:], "%d", &n)
			return f.r(9 + n) // c2..c13 in Z11..Z22
		}
		if r, ok := regOf[c]; ok {
			return f.r(r)
		}
		return expMem(c)
	}
	mov := func(c string, dst int) {
		if z {
			w.op("VMOVAPD %s, %s", k(c), f.r(dst))
		} else {
			w.op("VMOVUPD %s, %s", k(c), f.r(dst))
		}
	}
	w.f("// func %s(rows, cols int, c, h, dst *float64, dstStride int, mx, sum *float64, inv, negCut float64, normalize bool)", name)
	w.f("TEXT ·%s(SB), NOSPLIT, $0-81", name)
	w.op("MOVQ rows+0(FP), CX")
	w.op("MOVQ cols+8(FP), R8")
	w.op("MOVQ c+16(FP), SI")
	w.op("MOVQ h+24(FP), R9")
	w.op("MOVQ dst+32(FP), DI")
	w.op("MOVQ dstStride+40(FP), R10")
	w.op("MOVQ mx+48(FP), R11")
	w.op("MOVQ sum+56(FP), R12")
	w.op("VBROADCASTSD inv+64(FP), %s", k("inv"))
	w.op("VBROADCASTSD negCut+72(FP), %s", k("negcut"))
	if z {
		for _, c := range []string{"invln2", "round", "ln2hi", "ln2lo", "bias", "neginf", "one"} {
			w.op("VBROADCASTSD %s, %s", expMem(c), k(c))
		}
		for n := 2; n <= expDegree; n++ {
			w.op("VBROADCASTSD %s, %s", expMem(fmt.Sprintf("c%d", n)), k(fmt.Sprintf("c%d", n)))
		}
	} else {
		w.op("VMOVUPD %s, %s", expMem("neginf"), k("neginf"))
	}
	w.op("MOVQ R8, R13")
	w.op("SHRQ $%d, R13", log2(f.width)) // full vectors a row
	w.op("MOVQ R8, R14")
	w.op("ANDQ $%d, R14", f.width-1) // tail lanes
	w.op("JZ %s_nomask", name)
	w.op("MOVQ CX, DX")
	f.tailMask(w, "R14", 12)
	w.op("MOVQ DX, CX")
	w.f("%s_nomask:", name)
	w.op("MOVBQZX normalize+80(FP), AX")
	w.op("SHLQ $3, R8") // row length in bytes

	// loop emits a pass over the full vectors of the row and its masked tail.
	loop := func(pass string, body func(tail bool)) {
		w.op("XORQ BX, BX")
		w.op("MOVQ R13, DX")
		w.op("TESTQ DX, DX")
		w.op("JZ %s_%s_tail", name, pass)
		w.f("%s_%s:", name, pass)
		body(false)
		w.op("ADDQ $%d, BX", vb)
		w.op("DECQ DX")
		w.op("JNZ %s_%s", name, pass)
		w.f("%s_%s_tail:", name, pass)
		w.op("TESTQ R14, R14")
		w.op("JZ %s_%s_done", name, pass)
		body(true)
		w.f("%s_%s_done:", name, pass)
	}
	load := func(mem string, dst int, tail bool) {
		if tail {
			f.maskedLoad(w, mem, dst, 12)
		} else {
			w.op("VMOVUPD %s, %s", mem, f.r(dst))
		}
	}
	store := func(src int, mem string, tail bool) {
		if tail {
			f.maskedStore(w, src, mem, 12)
		} else {
			w.op("VMOVUPD %s, %s", f.r(src), mem)
		}
	}

	w.f("%s_row:", name)
	mov("neginf", 4)
	w.op("VXORPD %s, %s, %s", f.r(5), f.r(5), f.r(5))
	// Pass 1: v = h - inv*c, stored; running maximum in r4.
	loop("max", func(tail bool) {
		load("(R9)(BX*1)", 0, tail)
		if tail {
			load("(SI)(BX*1)", 1, true)
			w.op("VFNMADD231PD %s, %s, %s", f.r(1), k("inv"), f.r(0))
		} else {
			w.op("VFNMADD231PD (SI)(BX*1), %s, %s", k("inv"), f.r(0))
		}
		store(0, "(DI)(BX*1)", tail)
		switch {
		case tail && z:
			w.op("VMAXPD Z4, Z0, K2, Z4")
		case tail:
			w.op("VBLENDVPD Y12, Y0, %s, Y0", k("neginf"))
			w.op("VMAXPD Y4, Y0, Y4")
		default:
			// The second source wins when one is NaN: a NaN v never enters the maximum.
			w.op("VMAXPD %s, %s, %s", f.r(4), f.r(0), f.r(4))
		}
	})
	f.fold(w, "VMAXPD", 4, 1)
	w.op("VMOVSD X4, (R11)")
	w.op("VBROADCASTSD X4, %s", f.r(4))
	// Pass 2: e = exp(v - mx) where v - mx > negCut, else 0; sum in r5.
	loop("exp", func(tail bool) {
		load("(DI)(BX*1)", 0, tail)
		w.op("VSUBPD %s, %s, %s", f.r(4), f.r(0), f.r(0))
		// _CMP_GT_OQ: false for NaN.
		switch {
		case z && tail:
			w.op("VCMPPD $0x1e, %s, Z0, K2, K1", k("negcut"))
		case z:
			w.op("VCMPPD $0x1e, %s, Z0, K1", k("negcut"))
		default:
			w.op("VCMPPD $0x1e, %s, Y0, Y8", k("negcut"))
			if tail {
				w.op("VANDPD Y12, Y8, Y8")
			}
		}
		mov("round", 1)
		w.op("VFMADD231PD %s, %s, %s", k("invln2"), f.r(0), f.r(1)) // t/ln2 + round
		w.op("VSUBPD %s, %s, %s", k("round"), f.r(1), f.r(2))       // k
		w.op("VFNMADD231PD %s, %s, %s", k("ln2hi"), f.r(2), f.r(0))
		w.op("VFNMADD231PD %s, %s, %s", k("ln2lo"), f.r(2), f.r(0)) // r
		// e^r = 1 + r(1 + r(c2 + r(c3 + r·P(r)))), P = c4 + ... + c13·r^9 by Estrin's
		// scheme (pairs, then r², r⁴): a dependency chain of 8 fused multiply-adds
		// instead of Horner's 13, while the rounding of the leading terms is Horner's.
		q := []int{3, 6, 7, 8, 9} // q_i = c(4+2i) + c(5+2i)·r
		r2, r4 := 2, 23
		if !z {
			q = []int{3, 6, 7, 9, 10}
			r4 = 11
		}
		w.op("VMULPD %s, %s, %s", f.r(0), f.r(0), f.r(r2))
		for i, qi := range q {
			mov(fmt.Sprintf("c%d", 5+2*i), qi)
			w.op("VFMADD213PD %s, %s, %s", k(fmt.Sprintf("c%d", 4+2*i)), f.r(0), f.r(qi))
		}
		w.op("VMULPD %s, %s, %s", f.r(r2), f.r(r2), f.r(r4))
		w.op("VFMADD231PD %s, %s, %s", f.r(r2), f.r(q[1]), f.r(q[0])) // q0 + q1·r²
		w.op("VFMADD231PD %s, %s, %s", f.r(r2), f.r(q[3]), f.r(q[2])) // q2 + q3·r²
		w.op("VFMADD231PD %s, %s, %s", f.r(r4), f.r(q[4]), f.r(q[2])) // + q4·r⁴
		w.op("VFMADD231PD %s, %s, %s", f.r(r4), f.r(q[2]), f.r(q[0])) // P
		for _, c := range []string{"c3", "c2", "one", "one"} {
			w.op("VFMADD213PD %s, %s, %s", k(c), f.r(0), f.r(3))
		}
		w.op("VPSLLQ $52, %s, %s", f.r(1), f.r(1))
		w.op("VPADDQ %s, %s, %s", k("bias"), f.r(1), f.r(1)) // 2^k
		if z {
			w.op("VMULPD.Z Z1, Z3, K1, Z3")
		} else {
			w.op("VMULPD Y1, Y3, Y3")
			w.op("VANDPD Y8, Y3, Y3")
		}
		store(3, "(DI)(BX*1)", tail)
		w.op("VADDPD %s, %s, %s", f.r(3), f.r(5), f.r(5))
	})
	f.fold(w, "VADDPD", 5, 1)
	w.op("VMOVSD X5, (R12)")
	w.op("TESTQ AX, AX")
	w.op("JZ %s_next", name)
	// Pass 3: the row times 1/sum.
	if z {
		w.op("VDIVSD X5, X10, X6")
	} else {
		w.op("VMOVSD %s, X6", expMem("one"))
		w.op("VDIVSD X5, X6, X6")
	}
	w.op("VBROADCASTSD X6, %s", f.r(6))
	loop("scale", func(tail bool) {
		load("(DI)(BX*1)", 0, tail)
		w.op("VMULPD %s, %s, %s", f.r(6), f.r(0), f.r(0))
		store(0, "(DI)(BX*1)", tail)
	})
	w.f("%s_next:", name)
	w.op("ADDQ R8, SI")
	w.op("ADDQ R10, DI")
	w.op("ADDQ $8, R11")
	w.op("ADDQ $8, R12")
	w.op("DECQ CX")
	w.op("JNZ %s_row", name)
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

// logSum emits func logSum<suffix>(n int, out, mx, sum *float64, scale float64):
// out_i = scale·(mx_i + ln sum_i) for finite sum_i >= 1, the end of a log-sum-exp.
// sum = 2^k·z with z in [sqrt(1/2), sqrt(2)) (integer operations on the bits),
// f = (z-1)/(z+1), ln z = 2f + f·(2/3 f² + 2/5 f⁴ + ...) (Horner in f²), and
// ln sum = k·ln2hi + (k·ln2lo + ln z). out may be mx.
func (f f64) logSum(w *writer) {
	name := "logSum" + f.suffix
	z := f.avx512()
	vb := 8 * f.width
	names := []string{"lnoff", "himask", "magic", "one", "ln2hi", "ln2lo"}
	for i := 1; i <= logTerms; i++ {
		names = append(names, fmt.Sprintf("l%d", i))
	}
	k := func(c string) string {
		if c == "scale" {
			if z {
				return f.r(31)
			}
			return f.r(15)
		}
		if z {
			for i, n := range names {
				if n == c {
					return f.r(8 + i)
				}
			}
		}
		return expMem(c)
	}
	and := "VPAND"
	if z {
		and = "VPANDQ"
	}
	w.f("// func %s(n int, out, mx, sum *float64, scale float64)", name)
	w.f("TEXT ·%s(SB), NOSPLIT, $0-40", name)
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ out+8(FP), DI")
	w.op("MOVQ mx+16(FP), SI")
	w.op("MOVQ sum+24(FP), R8")
	w.op("VBROADCASTSD scale+32(FP), %s", k("scale"))
	if z {
		for _, c := range names {
			w.op("VBROADCASTSD %s, %s", expMem(c), k(c))
		}
	}
	w.op("XORQ BX, BX")
	w.op("MOVQ CX, DX")
	w.op("SHRQ $%d, DX", log2(f.width))
	w.op("JZ %s_tail", name)
	body := func(tail bool) {
		if tail {
			f.maskedLoad(w, "(R8)(BX*1)", 0, 12)
		} else {
			w.op("VMOVUPD (R8)(BX*1), %s", f.r(0))
		}
		w.op("VPSUBQ %s, %s, %s", k("lnoff"), f.r(0), f.r(1))   // tmp = ix - off
		w.op("VPSRLQ $52, %s, %s", f.r(1), f.r(2))              // k (sum >= 1: tmp >= 0)
		w.op("%s %s, %s, %s", and, k("himask"), f.r(1), f.r(1)) // tmp & 0xfff<<52
		w.op("VPSUBQ %s, %s, %s", f.r(1), f.r(0), f.r(0))       // z
		w.op("VPADDQ %s, %s, %s", k("magic"), f.r(2), f.r(2))   // 2^52 + k
		w.op("VSUBPD %s, %s, %s", k("magic"), f.r(2), f.r(2))   // k as float64
		w.op("VADDPD %s, %s, %s", k("one"), f.r(0), f.r(3))     // z + 1
		w.op("VSUBPD %s, %s, %s", k("one"), f.r(0), f.r(0))     // z - 1, exact
		w.op("VDIVPD %s, %s, %s", f.r(3), f.r(0), f.r(0))       // f
		w.op("VMULPD %s, %s, %s", f.r(0), f.r(0), f.r(3))       // f²
		if z {
			w.op("VMOVAPD %s, %s", k(fmt.Sprintf("l%d", logTerms)), f.r(4))
		} else {
			w.op("VMOVUPD %s, %s", k(fmt.Sprintf("l%d", logTerms)), f.r(4))
		}
		for i := logTerms - 1; i >= 1; i-- {
			w.op("VFMADD213PD %s, %s, %s", k(fmt.Sprintf("l%d", i)), f.r(3), f.r(4))
		}
		w.op("VMULPD %s, %s, %s", f.r(3), f.r(4), f.r(4))          // R = f²·(...)
		w.op("VADDPD %s, %s, %s", f.r(0), f.r(0), f.r(5))          // 2f
		w.op("VFMADD231PD %s, %s, %s", f.r(4), f.r(0), f.r(5))     // ln z = 2f + f·R
		w.op("VFMADD231PD %s, %s, %s", k("ln2lo"), f.r(2), f.r(5)) // + k·ln2lo
		w.op("VFMADD231PD %s, %s, %s", k("ln2hi"), f.r(2), f.r(5)) // + k·ln2hi
		if tail {
			f.maskedLoad(w, "(SI)(BX*1)", 6, 12)
			w.op("VADDPD %s, %s, %s", f.r(6), f.r(5), f.r(5))
		} else {
			w.op("VADDPD (SI)(BX*1), %s, %s", f.r(5), f.r(5))
		}
		w.op("VMULPD %s, %s, %s", k("scale"), f.r(5), f.r(5))
		if tail {
			f.maskedStore(w, 5, "(DI)(BX*1)", 12)
		} else {
			w.op("VMOVUPD %s, (DI)(BX*1)", f.r(5))
		}
	}
	w.f("%s_loop:", name)
	body(false)
	w.op("ADDQ $%d, BX", vb)
	w.op("DECQ DX")
	w.op("JNZ %s_loop", name)
	w.f("%s_tail:", name)
	w.op("ANDQ $%d, CX", f.width-1)
	w.op("JZ %s_done", name)
	f.tailMask(w, "CX", 12)
	body(true)
	w.f("%s_done:", name)
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

// minMax emits func minMaxF64<suffix>(n int, lo, hi, x *float64): lo = x < lo ? x : lo
// and hi = x > hi ? x : hi per element, which is what VMINPD and VMAXPD compute with x
// as the first source (a NaN x leaves lo and hi, as the Go comparisons do).
func (f f64) minMax(w *writer) {
	name := "minMaxF64" + f.suffix
	vb := 8 * f.width
	w.f("// func %s(n int, lo, hi, x *float64)", name)
	w.f("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ lo+8(FP), DI")
	w.op("MOVQ hi+16(FP), R8")
	w.op("MOVQ x+24(FP), SI")
	w.op("XORQ BX, BX")
	w.op("MOVQ CX, DX")
	w.op("SHRQ $%d, DX", log2(2*f.width))
	w.op("JZ %s_single", name)
	w.f("%s_loop2:", name)
	for u := 0; u < 2; u++ {
		w.op("VMOVUPD %d(SI)(BX*1), %s", u*vb, f.r(u))
		w.op("VMOVUPD %d(DI)(BX*1), %s", u*vb, f.r(2+u))
		w.op("VMOVUPD %d(R8)(BX*1), %s", u*vb, f.r(4+u))
		w.op("VMINPD %s, %s, %s", f.r(2+u), f.r(u), f.r(2+u))
		w.op("VMAXPD %s, %s, %s", f.r(4+u), f.r(u), f.r(4+u))
		w.op("VMOVUPD %s, %d(DI)(BX*1)", f.r(2+u), u*vb)
		w.op("VMOVUPD %s, %d(R8)(BX*1)", f.r(4+u), u*vb)
	}
	w.op("ADDQ $%d, BX", 2*vb)
	w.op("DECQ DX")
	w.op("JNZ %s_loop2", name)
	w.f("%s_single:", name)
	w.op("TESTQ $%d, CX", f.width)
	w.op("JZ %s_tail", name)
	w.op("VMOVUPD (SI)(BX*1), %s", f.r(0))
	w.op("VMINPD (DI)(BX*1), %s, %s", f.r(0), f.r(2))
	w.op("VMAXPD (R8)(BX*1), %s, %s", f.r(0), f.r(4))
	w.op("VMOVUPD %s, (DI)(BX*1)", f.r(2))
	w.op("VMOVUPD %s, (R8)(BX*1)", f.r(4))
	w.op("ADDQ $%d, BX", vb)
	w.f("%s_tail:", name)
	w.op("ANDQ $%d, CX", f.width-1)
	w.op("JZ %s_done", name)
	f.tailMask(w, "CX", 12)
	f.maskedLoad(w, "(SI)(BX*1)", 0, 12)
	f.maskedLoad(w, "(DI)(BX*1)", 2, 12)
	f.maskedLoad(w, "(R8)(BX*1)", 4, 12)
	w.op("VMINPD %s, %s, %s", f.r(2), f.r(0), f.r(2))
	w.op("VMAXPD %s, %s, %s", f.r(4), f.r(0), f.r(4))
	f.maskedStore(w, 2, "(DI)(BX*1)", 12)
	f.maskedStore(w, 4, "(R8)(BX*1)", 12)
	w.f("%s_done:", name)
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}
