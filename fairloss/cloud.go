package fairloss

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

// dot is the inner product of two equal-length vectors, unrolled for speed.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
