package cpu

import (
	"fmt"
	"slices"

	"github.com/fairclip/fairclip/kernels"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// dotParams is DotGeneral normalised to out[b] = op(A[b]) · op(B[b]) with A [batch, M, K]
// (or [batch, K, M] when transA) and B [batch, K, N] (or [batch, N, K] when transB).
// Operands whose layout is neither are transposed (copied) first with lhsPerm/rhsPerm.
type dotParams struct {
	batch, m, k, n   int
	transA, transB   bool
	lhsPerm, rhsPerm []int
}

// noop reports whether transposing by perm leaves the data in the same order (only axes
// of size one move).
func noop(perm, dims []int) bool {
	last := -1
	for _, p := range perm {
		if dims[p] == 1 {
			continue
		}
		if p < last {
			return false
		}
		last = p
	}
	return true
}

// DotGeneral implements backends.Builder on fairclip's GEMM kernels.
func (b *Builder) DotGeneral(lhs backends.Op, lhsContracting, lhsBatch []int, rhs backends.Op, rhsContracting, rhsBatch []int) (backends.Op, error) {
	op := backends.OpTypeDotGeneral
	ns, err := b.in(op, lhs, rhs)
	if err != nil {
		return nil, err
	}
	ls, rs := ns[0].shape, ns[1].shape
	if ls.DType != rs.DType {
		return nil, wrapErr(op, fmt.Errorf("dtypes %s and %s differ", ls.DType, rs.DType))
	}
	if !ls.DType.IsFloat() && !ls.DType.IsInt() {
		return nil, wrapErr(op, fmt.Errorf("dtype %s not supported", ls.DType))
	}
	if len(lhsContracting) != len(rhsContracting) || len(lhsBatch) != len(rhsBatch) {
		return nil, wrapErr(op, fmt.Errorf("contracting axes %v/%v or batch axes %v/%v differ in number",
			lhsContracting, rhsContracting, lhsBatch, rhsBatch))
	}
	free := func(s shapes.Shape, used ...[]int) ([]int, error) {
		seen := make([]bool, s.Rank())
		for _, u := range used {
			for _, a := range u {
				if a < 0 || a >= s.Rank() || seen[a] {
					return nil, fmt.Errorf("axis %d invalid or repeated for %s", a, s)
				}
				seen[a] = true
			}
		}
		var f []int
		for a := range seen {
			if !seen[a] {
				f = append(f, a)
			}
		}
		return f, nil
	}
	lFree, err := free(ls, lhsContracting, lhsBatch)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	rFree, err := free(rs, rhsContracting, rhsBatch)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	p := &dotParams{batch: 1, m: 1, k: 1, n: 1}
	var outDims []int
	for i, a := range lhsBatch {
		if ls.Dimensions[a] != rs.Dimensions[rhsBatch[i]] {
			return nil, wrapErr(op, fmt.Errorf("batch axes %d of %s and %d of %s differ", a, ls, rhsBatch[i], rs))
		}
		p.batch *= ls.Dimensions[a]
		outDims = append(outDims, ls.Dimensions[a])
	}
	for i, a := range lhsContracting {
		if ls.Dimensions[a] != rs.Dimensions[rhsContracting[i]] {
			return nil, wrapErr(op, fmt.Errorf("contracting axes %d of %s and %d of %s differ", a, ls, rhsContracting[i], rs))
		}
		p.k *= ls.Dimensions[a]
	}
	for _, a := range lFree {
		p.m *= ls.Dimensions[a]
		outDims = append(outDims, ls.Dimensions[a])
	}
	for _, a := range rFree {
		p.n *= rs.Dimensions[a]
		outDims = append(outDims, rs.Dimensions[a])
	}
	cat := func(parts ...[]int) []int { return slices.Concat(parts...) }
	if want := cat(lhsBatch, lFree, lhsContracting); noop(want, ls.Dimensions) {
	} else if alt := cat(lhsBatch, lhsContracting, lFree); noop(alt, ls.Dimensions) {
		p.transA = true
	} else {
		p.lhsPerm = want
	}
	if want := cat(rhsBatch, rhsContracting, rFree); noop(want, rs.Dimensions) {
	} else if alt := cat(rhsBatch, rFree, rhsContracting); noop(alt, rs.Dimensions) {
		p.transB = true
	} else {
		p.rhsPerm = want
	}
	shape := shapes.Make(ls.DType, outDims...)
	return b.add(&node{op: op, inputs: ns, shape: shape, dot: p}), nil
}

func dotOperands[T any](x *node, in []any) ([]T, []T) {
	p := x.dot
	a, b := in[0].([]T), in[1].([]T)
	if p.lhsPerm != nil {
		a = transposed(a, x.inputs[0].shape.Dimensions, p.lhsPerm)
	}
	if p.rhsPerm != nil {
		b = transposed(b, x.inputs[1].shape.Dimensions, p.rhsPerm)
	}
	return a, b
}

func runDot(x *node, out any, in []any) error {
	p := x.dot
	switch o := out.(type) {
	case []float32:
		a, b := dotOperands[float32](x, in)
		if p.k == 0 {
			clear(o)
			return nil
		}
		lda, ldb := p.k, p.n
		if p.transA {
			lda = p.m
		}
		if p.transB {
			ldb = p.k
		}
		if p.batch == 1 {
			kernels.Gemm(p.transA, p.transB, p.m, p.n, p.k, a, lda, b, ldb, o, p.n, false)
		} else {
			kernels.GemmBatched(p.batch, p.transA, p.transB, p.m, p.n, p.k, a, p.m*p.k, lda, b, p.k*p.n, ldb, o, p.m*p.n, p.n, false)
		}
	case []float64:
		a, b := dotOperands[float64](x, in)
		dotNaive(p, o, a, b)
	case []int32:
		a, b := dotOperands[int32](x, in)
		dotNaive(p, o, a, b)
	case []int64:
		a, b := dotOperands[int64](x, in)
		dotNaive(p, o, a, b)
	default:
		return fmt.Errorf("unsupported output %T", out)
	}
	return nil
}

// dotNaive is the plain loop for dtypes without a kernel (float64, integers).
func dotNaive[T numberT](p *dotParams, out, a, b []T) {
	M, N, K := p.m, p.n, p.k
	parallelChunks(p.batch*M, grainFor(p.batch*M, N*K), func(lo, hi int) {
		for u := lo; u < hi; u++ {
			bt, i := u/M, u%M
			row := out[u*N : (u+1)*N]
			clear(row)
			for kk := 0; kk < K; kk++ {
				var av T
				if p.transA {
					av = a[bt*M*K+kk*M+i]
				} else {
					av = a[bt*M*K+i*K+kk]
				}
				if p.transB {
					for j := range row {
						row[j] += av * b[bt*K*N+j*K+kk]
					}
				} else {
					br := b[bt*K*N+kk*N : bt*K*N+(kk+1)*N]
					for j := range row {
						row[j] += av * br[j]
					}
				}
			}
		}
	})
}

// Dot implements backends.Builder: for operands of rank 1 or 2, contracts lhs's last
// axis with rhs's first (vector·vector, matrix·vector, matrix·matrix).
func (b *Builder) Dot(lhs, rhs backends.Op) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeDot, lhs, rhs)
	if err != nil {
		return nil, err
	}
	r1, r2 := ns[0].shape.Rank(), ns[1].shape.Rank()
	if r1 < 1 || r1 > 2 || r2 < 1 || r2 > 2 {
		return nil, wrapErr(backends.OpTypeDot, fmt.Errorf("operands %s and %s must have rank 1 or 2", ns[0].shape, ns[1].shape))
	}
	return b.DotGeneral(lhs, []int{r1 - 1}, nil, rhs, []int{0}, nil)
}
