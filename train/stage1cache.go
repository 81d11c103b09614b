package train

// stage1Cache keeps the frozen Stage 1 output s1 of every (sample, view) of a split,
// computed the first time it is needed: A1 is frozen and in eval mode, so s1 is a
// fixed function of the CLIP feature.
type stage1Cache struct {
	views int
	dim   int
	data  []float32
	have  []bool
}

func newStage1Cache(s Split, dim int) *stage1Cache {
	n := s.Len() * s.Views()
	return &stage1Cache{views: s.Views(), dim: dim, data: make([]float32, n*dim), have: make([]bool, n)}
}

// stage1For writes s1 of samples idx (views views, CLIP rows clip) into dst,
// computing the rows not cached yet.
func (t *trainer) stage1For(c *stage1Cache, idx, views []int, clip, dst []float32) error {
	d := c.dim
	var missing []int // positions j in idx
	for j, i := range idx {
		if !c.have[i*c.views+views[j]] {
			missing = append(missing, j)
		}
	}
	buf := make([]float32, evalChunk*d)
	out := make([]float32, evalChunk*d)
	for lo := 0; lo < len(missing); lo += evalChunk {
		chunk := missing[lo:min(lo+evalChunk, len(missing))]
		for k, j := range chunk {
			copy(buf[k*d:(k+1)*d], clip[j*d:(j+1)*d])
		}
		if err := t.eng.stage1Rows(buf, len(chunk), out); err != nil {
			return err
		}
		for k, j := range chunk {
			key := idx[j]*c.views + views[j]
			copy(c.data[key*d:(key+1)*d], out[k*d:(k+1)*d])
			c.have[key] = true
		}
	}
	for j, i := range idx {
		key := i*c.views + views[j]
		copy(dst[j*d:(j+1)*d], c.data[key*d:(key+1)*d])
	}
	return nil
}
