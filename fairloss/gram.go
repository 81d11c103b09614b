package fairloss

// gram holds the inner products between a set of feature rows, computed once so that
// every pair of subgroups drawn from those rows reuses them for its cost matrices.
type gram struct {
	pos []int     // pos[row] = index of a feature row in the set, -1 if absent
	k   int       // number of rows in the set
	g   []float64 // k×k, symmetric
}

// newGram computes the Gram matrix of the given rows of the n×d matrix features.
func newGram(features []float64, n, d int, rows []int) *gram {
	k := len(rows)
	gm := &gram{pos: make([]int, n), k: k, g: make([]float64, k*k)}
	for i := range gm.pos {
		gm.pos[i] = -1
	}
	for i, r := range rows {
		gm.pos[r] = i
	}
	// Rows are handed out in pairs (i, k-1-i) so each work item has k+1 dot products.
	parallelFor((k+1)/2, func(t int) {
		for _, i := range []int{t, k - 1 - t} {
			if i < t {
				continue
			}
			xi := features[rows[i]*d : (rows[i]+1)*d]
			for j := i; j < k; j++ {
				v := dot(xi, features[rows[j]*d:(rows[j]+1)*d])
				gm.g[i*k+j] = v
				gm.g[j*k+i] = v
			}
			if i == k-1-t {
				break
			}
		}
	})
	return gm
}

// norms returns the squared norms of rows of a cloud indexing this Gram matrix's rows
// (its diagonal: the same dot products as squaredNorms).
func (gm *gram) norms(c cloud, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		p := gm.pos[c.rows[i]]
		out[i] = gm.g[p*gm.k+p]
	}
	return out
}

// dots returns the inner-product source for the rows of two clouds that index
// feature rows of this Gram matrix.
func (gm *gram) dots(x, y cloud) func(i, j int) float64 {
	return func(i, j int) float64 {
		return gm.g[gm.pos[x.rows[i]]*gm.k+gm.pos[y.rows[j]]]
	}
}
