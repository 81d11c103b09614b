// Command asm writes kernels/gemm_amd64.s, the AVX-512 and AVX2+FMA micro-kernels of
// package kernels and the FMA-peak loops its benchmarks measure the machine with.
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
	if *out == "" {
		os.Stdout.Write(w.Bytes())
		return
	}
	if err := os.WriteFile(*out, w.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
