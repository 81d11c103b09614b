// Command asm writes kernels/gemm_amd64.s, the AVX-512 and AVX2+FMA micro-kernels of
// package kernels, the FMA-peak loops its benchmarks measure the machine with, the
// vector AdamW update loops, the float64 loops of the fairness loss (float64.go), the
// float32 erf and exp (erf.go, erf_avx2.go), the float32 elementwise arithmetic (arith.go) and the
// packing transposes (transpose.go).
//
// Run it through `go generate ./kernels/`; the output is a pure function of this
// program, so regenerating must reproduce the committed file byte for byte.
//
// Each micro-kernel computes one MR×NR tile of C from packed panels: A holds k steps
// of MR values (one per tile row), B holds k steps of NR values. The A value of each
// row is broadcast and multiplied against the NR-wide B vectors into MR·NR/width
// accumulator registers; k is summed strictly in order, so every C element sees the
// same sequence of fused multiply-adds wherever its tile lies.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// tile describes one register-tile micro-kernel.
type tile struct {
	name   string // Go function name
	doc    string
	mr     int    // rows of the tile
	vecs   int    // vectors per row (NR = vecs*width)
	width  int    // float32 lanes per vector
	reg    string // register prefix: "Z" or "Y"
	zero   string // instruction that zeroes a register
	bcast  []int  // registers receiving the broadcast A values, one per row
	bregs  []int  // registers receiving B vectors, one per vector
	unroll int    // k steps per main-loop iteration
}

var tiles = []tile{
	{
		name: "gemmAVX512x6x32", doc: "AVX-512F: 6×32 tile, 12 zmm accumulators.",
		mr: 6, vecs: 2, width: 16, reg: "Z", zero: "VPXORD",
		bcast: []int{16, 17, 18, 19, 20, 21}, bregs: []int{12, 13}, unroll: 4,
	},
	{
		name: "gemmAVX2x6x16", doc: "AVX2+FMA: 6×16 tile, 12 ymm accumulators.",
		mr: 6, vecs: 2, width: 8, reg: "Y", zero: "VXORPS",
		bcast: []int{14, 14, 14, 14, 14, 14}, bregs: []int{12, 13}, unroll: 4,
	},
}

// peak describes one FMA-throughput loop: chains independent accumulators.
type peak struct {
	name   string
	reg    string
	chains []int
	width  int
}

var peaks = []peak{
	{name: "fmaPeakAVX512", reg: "Z", chains: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19}, width: 16},
	{name: "fmaPeakAVX2", reg: "Y", chains: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, width: 8},
}

type writer struct{ bytes.Buffer }

func (w *writer) f(format string, args ...any) { fmt.Fprintf(&w.Buffer, format+"\n", args...) }
func (w *writer) op(format string, args ...any) {
	w.WriteByte('\t')
	w.f(format, args...)
}

func (t tile) acc(row, v int) string { return fmt.Sprintf("%s%d", t.reg, row*t.vecs+v) }

// step emits one k step at byte offsets aOff into A and bOff into B.
func (t tile) step(w *writer, aOff, bOff int) {
	for v, r := range t.bregs {
		w.op("VMOVUPS %d(BX), %s%d", bOff+v*t.width*4, t.reg, r)
	}
	for i := 0; i < t.mr; i++ {
		b := fmt.Sprintf("%s%d", t.reg, t.bcast[i])
		w.op("VBROADCASTSS %d(AX), %s", aOff+i*4, b)
		for v, r := range t.bregs {
			w.op("VFMADD231PS %s%d, %s, %s", t.reg, r, b, t.acc(i, v))
		}
	}
}

func (t tile) emit(w *writer) {
	aStep, bStep := t.mr*4, t.vecs*t.width*4
	w.f("// func %s(k int, a, b, c *float32, ldc int, accumulate bool)", t.name)
	w.f("// %s", t.doc)
	w.f("// Requires k >= 1. C = A·B, or C += A·B when accumulate; ldc is in elements.")
	w.f("TEXT ·%s(SB), NOSPLIT, $0-41", t.name)
	w.op("MOVQ k+0(FP), CX")
	w.op("MOVQ a+8(FP), AX")
	w.op("MOVQ b+16(FP), BX")
	w.op("MOVQ c+24(FP), DI")
	w.op("MOVQ ldc+32(FP), SI")
	w.op("SHLQ $2, SI")
	// Warm the C tile's lines while the loop runs.
	w.op("MOVQ DI, R9")
	for i := 0; i < t.mr; i++ {
		w.op("PREFETCHT0 (R9)")
		w.op("PREFETCHT0 %d(R9)", t.vecs*t.width*4-4)
		w.op("ADDQ SI, R9")
	}
	for i := 0; i < t.mr; i++ {
		for v := 0; v < t.vecs; v++ {
			a := t.acc(i, v)
			w.op("%s %s, %s, %s", t.zero, a, a, a)
		}
	}
	w.op("MOVQ CX, DX")
	w.op("SHRQ $%d, DX", log2(t.unroll))
	w.op("ANDQ $%d, CX", t.unroll-1)
	w.op("TESTQ DX, DX")
	w.op("JZ %s_tail", t.name)
	w.f("%s_loop:", t.name)
	for u := 0; u < t.unroll; u++ {
		t.step(w, u*aStep, u*bStep)
	}
	w.op("ADDQ $%d, AX", t.unroll*aStep)
	w.op("ADDQ $%d, BX", t.unroll*bStep)
	w.op("DECQ DX")
	w.op("JNZ %s_loop", t.name)
	w.f("%s_tail:", t.name)
	w.op("TESTQ CX, CX")
	w.op("JZ %s_store", t.name)
	w.f("%s_tailloop:", t.name)
	t.step(w, 0, 0)
	w.op("ADDQ $%d, AX", aStep)
	w.op("ADDQ $%d, BX", bStep)
	w.op("DECQ CX")
	w.op("JNZ %s_tailloop", t.name)
	w.f("%s_store:", t.name)
	w.op("MOVBLZX accumulate+40(FP), R8")
	w.op("TESTL R8, R8")
	w.op("JZ %s_overwrite", t.name)
	for i := 0; i < t.mr; i++ {
		for v := 0; v < t.vecs; v++ {
			a := t.acc(i, v)
			w.op("VADDPS %d(DI), %s, %s", v*t.width*4, a, a)
			w.op("VMOVUPS %s, %d(DI)", a, v*t.width*4)
		}
		w.op("ADDQ SI, DI")
	}
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("%s_overwrite:", t.name)
	for i := 0; i < t.mr; i++ {
		for v := 0; v < t.vecs; v++ {
			w.op("VMOVUPS %s, %d(DI)", t.acc(i, v), v*t.width*4)
		}
		w.op("ADDQ SI, DI")
	}
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

func (p peak) emit(w *writer) {
	w.f("// func %s(n int)", p.name)
	w.f("// Runs n iterations of %d independent %d-lane FMAs (%d flops each): the FMA peak.", len(p.chains), p.width, 2*p.width*len(p.chains))
	w.f("TEXT ·%s(SB), NOSPLIT, $0-8", p.name)
	w.op("MOVQ n+0(FP), CX")
	w.op("VBROADCASTSS one<>(SB), %s14", p.reg)
	w.op("VBROADCASTSS one<>(SB), %s15", p.reg)
	for _, c := range p.chains {
		w.op("VBROADCASTSS one<>(SB), %s%d", p.reg, c)
	}
	w.op("TESTQ CX, CX")
	w.op("JZ %s_done", p.name)
	w.f("%s_loop:", p.name)
	for _, c := range p.chains {
		w.op("VFMADD231PS %s14, %s15, %s%d", p.reg, p.reg, p.reg, c)
	}
	w.op("DECQ CX")
	w.op("JNZ %s_loop", p.name)
	w.f("%s_done:", p.name)
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

// adamw describes one AdamW-update loop (see kernels.AdamW): per element, in float32
// and in the order of the Go reference, p = p*decay; m = m*b1 + c1*g;
// v = v*b2 + (c2*g)*g; p = p + step*(m/(sqrt(v)/bc2 + eps)). Separate multiplies and
// adds (no FMA) keep it bit-identical to the Go loop.
type adamw struct {
	name  string
	reg   string
	width int
	coef  int // first of 8 registers holding decay, b1, c1, b2, c2, bc2, eps, step
}

var adamws = []adamw{
	{name: "adamwAVX512", reg: "Z", width: 16, coef: 16},
	{name: "adamwAVX", reg: "Y", width: 8, coef: 8},
}

func (a adamw) emit(w *writer) {
	r := func(i int) string { return fmt.Sprintf("%s%d", a.reg, i) }
	c := func(i int) string { return r(a.coef + i) }
	w.f("// func %s(n int, p, grad, mom, vel, coef *float32)", a.name)
	w.f("// AdamW update of n elements (n a multiple of %d); coef holds decay, b1, c1, b2, c2,", a.width)
	w.f("// bc2, eps, step.")
	w.f("TEXT ·%s(SB), NOSPLIT, $0-48", a.name)
	w.op("MOVQ n+0(FP), CX")
	w.op("MOVQ p+8(FP), DI")
	w.op("MOVQ grad+16(FP), SI")
	w.op("MOVQ mom+24(FP), DX")
	w.op("MOVQ vel+32(FP), BX")
	w.op("MOVQ coef+40(FP), AX")
	for i := 0; i < 8; i++ {
		w.op("VBROADCASTSS %d(AX), %s", 4*i, c(i))
	}
	w.op("SHRQ $%d, CX", log2(a.width))
	w.op("TESTQ CX, CX")
	w.op("JZ %s_done", a.name)
	w.f("%s_loop:", a.name)
	w.op("VMOVUPS (DI), %s", r(0))
	w.op("VMOVUPS (SI), %s", r(1))
	w.op("VMOVUPS (DX), %s", r(2))
	w.op("VMOVUPS (BX), %s", r(3))
	w.op("VMULPS %s, %s, %s", c(0), r(0), r(0)) // p *= decay
	w.op("VMULPS %s, %s, %s", c(1), r(2), r(2)) // m*b1
	w.op("VMULPS %s, %s, %s", c(2), r(1), r(4)) // c1*g
	w.op("VADDPS %s, %s, %s", r(4), r(2), r(2)) // m
	w.op("VMULPS %s, %s, %s", c(4), r(1), r(5)) // c2*g
	w.op("VMULPS %s, %s, %s", r(1), r(5), r(5)) // (c2*g)*g
	w.op("VMULPS %s, %s, %s", c(3), r(3), r(3)) // v*b2
	w.op("VADDPS %s, %s, %s", r(5), r(3), r(3)) // v
	w.op("VSQRTPS %s, %s", r(3), r(6))
	w.op("VDIVPS %s, %s, %s", c(5), r(6), r(6)) // sqrt(v)/bc2
	w.op("VADDPS %s, %s, %s", c(6), r(6), r(6)) // + eps
	w.op("VDIVPS %s, %s, %s", r(6), r(2), r(7)) // m/denom
	w.op("VMULPS %s, %s, %s", c(7), r(7), r(7)) // step*(m/denom)
	w.op("VADDPS %s, %s, %s", r(7), r(0), r(0)) // p
	w.op("VMOVUPS %s, (DI)", r(0))
	w.op("VMOVUPS %s, (DX)", r(2))
	w.op("VMOVUPS %s, (BX)", r(3))
	for _, reg := range []string{"DI", "SI", "DX", "BX"} {
		w.op("ADDQ $%d, %s", 4*a.width, reg)
	}
	w.op("DECQ CX")
	w.op("JNZ %s_loop", a.name)
	w.f("%s_done:", a.name)
	w.op("VZEROUPPER")
	w.op("RET")
	w.f("")
}

func log2(n int) int {
	s := 0
	for 1<<s < n {
		s++
	}
	if 1<<s != n {
		log.Fatalf("unroll %d is not a power of two", n)
	}
	return s
}

func main() {
	out := flag.String("out", "", "write the assembly to this file instead of standard output")
	flag.Parse()
	var w writer
	w.f("// Code generated by kernels/_asm; DO NOT EDIT.")
	w.f("")
	w.f("//go:build !purego")
	w.f("")
	w.f(`#include "textflag.h"`)
	w.f("")
	w.f("DATA one<>+0(SB)/4, $0x3f800000")
	w.f("GLOBL one<>(SB), RODATA|NOPTR, $4")
	w.f("")
	for _, t := range tiles {
		t.emit(&w)
	}
	for _, p := range peaks {
		p.emit(&w)
	}
	for _, a := range adamws {
		a.emit(&w)
	}
	emitExpData(&w)
	for _, f := range f64s {
		f.dot(&w)
		f.axpy(&w)
		f.expSumRows(&w)
		f.logSum(&w)
		f.minMax(&w)
	}
	emitMathConsts(&w) // erf_avx2.go
	emitErf(&w)        // erf.go
	emitExp(&w)        // erf.go
	emitAVX2Math(&w)   // erf_avx2.go
	emitArith(&w)      // arith.go
	emitTranspose(&w)  // transpose.go
	if *out == "" {
		os.Stdout.Write(w.Bytes())
		return
	}
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
