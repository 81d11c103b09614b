//go:build amd64 && !purego

package kernels

//go:noescape
func addvvAVX512(n int, dst, x, y *float32)

//go:noescape
func addvsAVX512(n int, dst, x *float32, v float32)

//go:noescape
func addsvAVX512(n int, dst, x *float32, v float32)

//go:noescape
func subvvAVX512(n int, dst, x, y *float32)

//go:noescape
func subvsAVX512(n int, dst, x *float32, v float32)

//go:noescape
func subsvAVX512(n int, dst, x *float32, v float32)

//go:noescape
func mulvvAVX512(n int, dst, x, y *float32)

//go:noescape
func mulvsAVX512(n int, dst, x *float32, v float32)

//go:noescape
func mulsvAVX512(n int, dst, x *float32, v float32)

//go:noescape
func divvvAVX512(n int, dst, x, y *float32)

//go:noescape
func divvsAVX512(n int, dst, x *float32, v float32)

//go:noescape
func divsvAVX512(n int, dst, x *float32, v float32)

//go:noescape
func addvvAVX(n int, dst, x, y *float32)

//go:noescape
func addvsAVX(n int, dst, x *float32, v float32)

//go:noescape
func addsvAVX(n int, dst, x *float32, v float32)

//go:noescape
func subvvAVX(n int, dst, x, y *float32)

//go:noescape
func subvsAVX(n int, dst, x *float32, v float32)

//go:noescape
func subsvAVX(n int, dst, x *float32, v float32)

//go:noescape
func mulvvAVX(n int, dst, x, y *float32)

//go:noescape
func mulvsAVX(n int, dst, x *float32, v float32)

//go:noescape
func mulsvAVX(n int, dst, x *float32, v float32)

//go:noescape
func divvvAVX(n int, dst, x, y *float32)

//go:noescape
func divvsAVX(n int, dst, x *float32, v float32)

//go:noescape
func divsvAVX(n int, dst, x *float32, v float32)

var (
	arithAVX512 = &arithKernels{
		step: 32,
		vv:   [4]func(n int, dst, x, y *float32){addvvAVX512, subvvAVX512, mulvvAVX512, divvvAVX512},
		vs:   [4]func(n int, dst, x *float32, v float32){addvsAVX512, subvsAVX512, mulvsAVX512, divvsAVX512},
		sv:   [4]func(n int, dst, x *float32, v float32){addsvAVX512, subsvAVX512, mulsvAVX512, divsvAVX512},
	}
	arithAVX = &arithKernels{
		step: 16,
		vv:   [4]func(n int, dst, x, y *float32){addvvAVX, subvvAVX, mulvvAVX, divvvAVX},
		vs:   [4]func(n int, dst, x *float32, v float32){addvsAVX, subvsAVX, mulvsAVX, divvsAVX},
		sv:   [4]func(n int, dst, x *float32, v float32){addsvAVX, subsvAVX, mulsvAVX, divsvAVX},
	}
)
