package train

import (
	"slices"
	"strings"
)

// stage1Cache keeps the frozen Stage 1 output s1 of every (sample, view) of a split,
// computed the first time it is needed: A1 is frozen and in eval mode, so s1 is a
// fixed function of the CLIP feature.
type stage1Cache struct {
	views int
	dim   int
	data  []float32
	have  []bool
	// stored, when set, reads s1 from the split's feature store (written by
	// `fairclip extract` for this very adapter) instead of computing it.
	stored stage1Store
}

// stage1Store is the optional interface of a Split whose feature store holds Stage 1
// outputs (features.Split): the adapter identities held, and their rows.
type stage1Store interface {
	Stage1Stored() []string
	Stage1Rows(identity string, idx, views []int, dst []float32) (ok bool, err error)
}

func newStage1Cache(s Split, dim int) *stage1Cache {
	n := s.Len() * s.Views()
	return &stage1Cache{views: s.Views(), dim: dim, data: make([]float32, n*dim), have: make([]bool, n)}
}

// stage1For writes s1 of samples idx (views views, CLIP rows clip) into dst,
// computing the rows not cached yet.
func (t *trainer) stage1For(c *stage1Cache, idx, views []int, clip, dst []float32) error {
	if c.stored != nil {
		ok, err := c.stored.Stage1Rows(t.eng.s1ID, idx, views, dst)
		if err != nil || ok {
			return err
		}
		c.stored = nil
	}
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

// useStoredStage1 makes c read s1 from s's feature store when the store holds the
// outputs of the trainer's own Stage 1 adapter (same identity); outputs of another
// adapter are never used, and the first time that happens the log says so.
func (t *trainer) useStoredStage1(c *stage1Cache, s Split) {
	ss, ok := s.(stage1Store)
	if !ok {
		return
	}
	ids := ss.Stage1Stored()
	if slices.Contains(ids, t.eng.s1ID) {
		c.stored = ss
		if !t.s1Logged[0] && t.out != nil {
			t.printf("Stage 1 outputs: read from the feature store (adapter %s)\n", t.eng.s1ID)
		}
		t.s1Logged[0] = true
		return
	}
	if len(ids) > 0 && !t.s1Logged[1] && t.out != nil {
		t.printf("Stage 1 outputs: the feature store holds them for other adapters (%s), not this one (%s): computing s1 from the CLIP features\n",
			strings.Join(ids, ", "), t.eng.s1ID)
		t.s1Logged[1] = true
	}
}
