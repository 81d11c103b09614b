package fairloss

import "github.com/fairclip/fairclip/kernels"

// cloud is a read-only view of rows of a row-major matrix with d columns: row i is
// data[rows[i]*d:] when rows is set, data[i*d:] otherwise. It lets the fairness losses
// hand subsets of the feature matrix to the solver without copying.
type cloud struct {
	data []float64
	rows []int
	d    int
}

func (c cloud) row(i int) []float64 {
	r := i
	if c.rows != nil {
		r = c.rows[i]
	}
	return c.data[r*c.d : (r+1)*c.d]
}

// dot is the inner product of two vectors (b at least as long as a) on the kernels
// package's kernel.
func dot(a, b []float64) float64 { return kernels.Dot64(a, b[:len(a)]) }
