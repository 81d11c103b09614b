package kernels

import "fmt"

// ArithOp is a float32 elementwise binary operation.
type ArithOp int

// The operations of Arith, ArithScalar and ScalarArith.
const (
	Add ArithOp = iota
	Sub
	Mul
	Div
)

// Arith sets dst[i] = x[i] op y[i]. dst may be x or y. Every kernel computes each value
// with the one IEEE operation the Go loop does, so all give the same bits.
func Arith(op ArithOp, dst, x, y []float32) { defaultOrPanic().Arith(op, dst, x, y) }

// ArithScalar sets dst[i] = x[i] op v; dst may be x.
func ArithScalar(op ArithOp, dst, x []float32, v float32) {
	defaultOrPanic().ArithScalar(op, dst, x, v)
}

// ScalarArith sets dst[i] = v op y[i]; dst may be y.
func ScalarArith(op ArithOp, dst []float32, v float32, y []float32) {
	defaultOrPanic().ScalarArith(op, dst, v, y)
}

// arithKernels are one instruction set's loops, indexed by ArithOp; each handles the
// first n values, n a multiple of step.
type arithKernels struct {
	step   int
	vv     [4]func(n int, dst, x, y *float32)
	vs, sv [4]func(n int, dst, x *float32, v float32)
}

// Arith is the package function Arith on e's kernel.
func (e *Engine) Arith(op ArithOp, dst, x, y []float32) {
	n := len(dst)
	if len(x) != n || len(y) != n {
		panic(fmt.Sprintf("kernels.Arith: dst %d, x %d, y %d values", n, len(x), len(y)))
	}
	done := 0
	if k := e.kern.arith; k != nil && n >= k.step {
		done = n - n%k.step
		k.vv[op](done, &dst[0], &x[0], &y[0])
	}
	d, a, b := dst[done:], x[done:n], y[done:n]
	switch op {
	case Add:
		for i := range d {
			d[i] = a[i] + b[i]
		}
	case Sub:
		for i := range d {
			d[i] = a[i] - b[i]
		}
	case Mul:
		for i := range d {
			d[i] = a[i] * b[i]
		}
	case Div:
		for i := range d {
			d[i] = a[i] / b[i]
		}
	}
}

// ArithScalar is the package function ArithScalar on e's kernel.
func (e *Engine) ArithScalar(op ArithOp, dst, x []float32, v float32) {
	n := len(dst)
	if len(x) != n {
		panic(fmt.Sprintf("kernels.ArithScalar: dst %d, x %d values", n, len(x)))
	}
	done := 0
	if k := e.kern.arith; k != nil && n >= k.step {
		done = n - n%k.step
		k.vs[op](done, &dst[0], &x[0], v)
	}
	d, a := dst[done:], x[done:n]
	switch op {
	case Add:
		for i := range d {
			d[i] = a[i] + v
		}
	case Sub:
		for i := range d {
			d[i] = a[i] - v
		}
	case Mul:
		for i := range d {
			d[i] = a[i] * v
		}
	case Div:
		for i := range d {
			d[i] = a[i] / v
		}
	}
}

// ScalarArith is the package function ScalarArith on e's kernel.
func (e *Engine) ScalarArith(op ArithOp, dst []float32, v float32, y []float32) {
	n := len(dst)
	if len(y) != n {
		panic(fmt.Sprintf("kernels.ScalarArith: dst %d, y %d values", n, len(y)))
	}
	done := 0
	if k := e.kern.arith; k != nil && n >= k.step {
		done = n - n%k.step
		k.sv[op](done, &dst[0], &y[0], v)
	}
	d, b := dst[done:], y[done:n]
	switch op {
	case Add:
		for i := range d {
			d[i] = v + b[i]
		}
	case Sub:
		for i := range d {
			d[i] = v - b[i]
		}
	case Mul:
		for i := range d {
			d[i] = v * b[i]
		}
	case Div:
		for i := range d {
			d[i] = v / b[i]
		}
	}
}
