package main

import "fmt"

// arithISA is one vector instruction set for the float32 elementwise loops.
type arithISA struct {
	suffix string // "AVX512" or "AVX"
	reg    string // "Z" or "Y"
	width  int    // float32 lanes
}

var arithISAs = []arithISA{{"AVX512", "Z", 16}, {"AVX", "Y", 8}}

// arithOps are the binary operations of kernels.Arith: name and instruction.
var arithOps = []struct{ name, instr string }{
	{"add", "VADDPS"}, {"sub", "VSUBPS"}, {"mul", "VMULPS"}, {"div", "VDIVPS"},
}

// emitArith writes the float32 elementwise loops of kernels/arith.go, for each
// operation and instruction set: vv (dst = x op y), vs (dst = x op v) and sv
// (dst = v op y), two vectors per iteration (n a multiple of 2·width). Each value is
// one IEEE operation, the Go loop's, so the bits are the same.
func emitArith(w *writer) {
	for _, isa := range arithISAs {
		r := func(i int) string { return fmt.Sprintf("%s%d", isa.reg, i) }
		step := 2 * isa.width
		for _, op := range arithOps {
			for _, form := range []string{"vv", "vs", "sv"} {
				name := fmt.Sprintf("%s%s%s", op.name, form, isa.suffix)
				switch form {
				case "vv":
					w.f("// func %s(n int, dst, x, y *float32)", name)
					w.f("TEXT ·%s(SB), NOSPLIT, $0-32", name)
					w.op("MOVQ y+24(FP), DX")
				default:
					w.f("// func %s(n int, dst, x *float32, v float32)", name)
					w.f("TEXT ·%s(SB), NOSPLIT, $0-28", name)
					w.op("VBROADCASTSS v+24(FP), %s", r(4))
				}
				w.op("MOVQ n+0(FP), CX")
				w.op("MOVQ dst+8(FP), DI")
				w.op("MOVQ x+16(FP), SI")
				w.op("SHRQ $%d, CX", log2(step))
				w.op("TESTQ CX, CX")
				w.op("JZ %s_done", name)
				w.f("%s_loop:", name)
				for v := 0; v < 2; v++ {
					off := v * isa.width * 4
					switch form {
					case "vv": // x op y
						w.op("VMOVUPS %d(SI), %s", off, r(v))
						w.op("%s %d(DX), %s, %s", op.instr, off, r(v), r(v))
					case "vs": // x op v
						w.op("VMOVUPS %d(SI), %s", off, r(v))
						w.op("%s %s, %s, %s", op.instr, r(4), r(v), r(v))
					case "sv": // v op x
						w.op("VMOVUPS %d(SI), %s", off, r(v+2))
						w.op("%s %s, %s, %s", op.instr, r(v+2), r(4), r(v))
					}
					w.op("VMOVUPS %s, %d(DI)", r(v), off)
				}
				w.op("ADDQ $%d, SI", step*4)
				if form == "vv" {
					w.op("ADDQ $%d, DX", step*4)
				}
				w.op("ADDQ $%d, DI", step*4)
				w.op("DECQ CX")
				w.op("JNZ %s_loop", name)
				w.f("%s_done:", name)
				w.op("VZEROUPPER")
				w.op("RET")
				w.f("")
			}
		}
	}
}
