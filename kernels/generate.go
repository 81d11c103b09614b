package kernels

//go:generate go run ./_asm -out gemm_amd64.s
