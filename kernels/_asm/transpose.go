package main

// emitTranspose writes the packing transposes of kernels/pack.go: interleave8AVX
// copies 8 source rows (stride ld) into dst with dst[p·w + r] = row r[p], 8 steps p
// at a time (an 8×8 transpose in ymm registers: unpack, shuffle, 128-bit permute);
// interleave6AVX does the same for 6 rows (the A panels of the 6-row micro-kernels),
// storing 6 values per step. kc is a multiple of 8; w and ld are in elements.
func emitTranspose(w *writer) {
	for _, rows := range []int{8, 6} {
		name := "interleave8AVX"
		if rows == 6 {
			name = "interleave6AVX"
		}
		w.f("// func %s(kc int, dst *float32, w int, src *float32, ld int)", name)
		w.f("TEXT ·%s(SB), NOSPLIT, $0-40", name)
		w.op("MOVQ kc+0(FP), CX")
		w.op("MOVQ dst+8(FP), DI")
		w.op("MOVQ w+16(FP), R8")
		w.op("SHLQ $2, R8")
		w.op("MOVQ src+24(FP), SI")
		w.op("MOVQ ld+32(FP), R9")
		w.op("SHLQ $2, R9")
		w.op("LEAQ (R9)(R9*2), R11") // 3·ld
		w.op("LEAQ (SI)(R9*4), R12") // row 4
		w.op("SHRQ $3, CX")
		w.op("TESTQ CX, CX")
		w.op("JZ %s_done", name)
		w.f("%s_loop:", name)
		w.op("VMOVUPS (SI), Y0")
		w.op("VMOVUPS (SI)(R9*1), Y1")
		w.op("VMOVUPS (SI)(R9*2), Y2")
		w.op("VMOVUPS (SI)(R11*1), Y3")
		w.op("VMOVUPS (R12), Y4")
		w.op("VMOVUPS (R12)(R9*1), Y5")
		if rows == 8 { // with 6 rows, Y6 and Y7 only reach lanes 6 and 7, never stored
			w.op("VMOVUPS (R12)(R9*2), Y6")
			w.op("VMOVUPS (R12)(R11*1), Y7")
		}
		// t(2i), t(2i+1) = low and high interleaves of rows 2i and 2i+1.
		for i := 0; i < 4; i++ {
			w.op("VUNPCKLPS Y%d, Y%d, Y%d", 2*i+1, 2*i, 8+2*i)
			w.op("VUNPCKHPS Y%d, Y%d, Y%d", 2*i+1, 2*i, 9+2*i)
		}
		// u: four rows' values of one step in each 128-bit half.
		for h := 0; h < 2; h++ { // rows 0-3, then 4-7
			t := 8 + 4*h
			u := 4 * h
			w.op("VSHUFPS $0x44, Y%d, Y%d, Y%d", t+2, t, u)
			w.op("VSHUFPS $0xEE, Y%d, Y%d, Y%d", t+2, t, u+1)
			w.op("VSHUFPS $0x44, Y%d, Y%d, Y%d", t+3, t+1, u+2)
			w.op("VSHUFPS $0xEE, Y%d, Y%d, Y%d", t+3, t+1, u+3)
		}
		// Step q of the 8: low halves for q < 4, high halves for q >= 4.
		for q := 0; q < 8; q++ {
			imm := 0x20
			if q >= 4 {
				imm = 0x31
			}
			w.op("VPERM2F128 $0x%x, Y%d, Y%d, Y%d", imm, 4+q%4, q%4, 8+q)
		}
		w.op("MOVQ DI, R13")
		for q := 0; q < 8; q++ {
			if rows == 8 {
				w.op("VMOVUPS Y%d, (R13)", 8+q)
			} else {
				w.op("VMOVUPS X%d, (R13)", 8+q)
				w.op("VEXTRACTF128 $1, Y%d, X%d", 8+q, 8+q)
				w.op("VMOVQ X%d, 16(R13)", 8+q)
			}
			w.op("ADDQ R8, R13")
		}
		w.op("MOVQ R13, DI")
		w.op("ADDQ $32, SI")
		w.op("ADDQ $32, R12")
		w.op("DECQ CX")
		w.op("JNZ %s_loop", name)
		w.f("%s_done:", name)
		w.op("VZEROUPPER")
		w.op("RET")
		w.f("")
	}
}
