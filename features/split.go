package features

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/fairclip/fairclip/data"
)

// Split is one (split, dataset) as training reads it: the samples of the current index
// minus bad images, with their annotations, and their CLIP embeddings either from a
// store (features.mode: disk) or computed on demand (features.mode: none). Both choose
// nothing themselves: the trainer passes the view of each row (data.ViewForEpoch).
// Split has the method set of train.Split.
type Split struct {
	target *Target
	keep   []int // split position -> sample number in target
	views  int
	dim    int
	reader *Reader   // disk
	enc    *Encoder  // live
	buf    []float32 // one row (disk)

	s1mu sync.Mutex
	s1   map[string]*Stage1Reader // by adapter identity; nil: not stored

	// liveTok holds the pooled patch tokens the last live Rows call computed, by
	// (sample, view), for the TokenRows call that follows it.
	liveTok map[[2]int][]float32
}

// OpenStore opens t's store and checks it against t's key; samples the store records
// as bad are left out. A missing store whose split and dataset have a store under
// another key is a *MismatchError naming the differing parts.
func OpenStore(t *Target) (*Split, error) {
	r, err := Find(t)
	if err != nil {
		return nil, err
	}
	m := r.Meta()
	if m.Views != t.Views {
		r.Close()
		return nil, &MismatchError{Dir: t.Dir, Diffs: []string{fmt.Sprintf("views: %d -> %d", m.Views, t.Views)}}
	}
	badIDs := map[string]bool{}
	for _, b := range m.Bad {
		badIDs[b.ID] = true
	}
	sp := &Split{target: t, views: m.Views, dim: m.ClipDim, reader: r, buf: make([]float32, m.ClipDim)}
	for i, id := range t.IDs {
		if !badIDs[id] {
			sp.keep = append(sp.keep, i)
		}
	}
	return sp, nil
}

// OpenLive returns t's split computed by enc on demand. Under on_bad_image: skip every
// image is decoded once first to leave the bad ones out (as extraction does); under
// fail a bad image fails the Rows call that meets it.
func OpenLive(ctx context.Context, t *Target, enc *Encoder, policy data.BadImagePolicy, log io.Writer) (*Split, error) {
	sp := &Split{target: t, views: t.Views, dim: enc.Dim(), enc: enc}
	bad := map[int]bool{}
	if policy == data.BadImageSkip {
		found, err := data.CheckSamples(ctx, t.Samples, data.CheckOptions{Decode: true, Workers: enc.workers})
		if err != nil {
			return nil, err
		}
		pos := make(map[[2]any]int, len(t.Samples))
		for i, s := range t.Samples {
			pos[[2]any{s.CSV, s.Row}] = i
		}
		for _, b := range found {
			if log != nil {
				fmt.Fprintf(log, "%s: skipped bad image (on_bad_image: skip): %v\n", t.Name(), b)
			}
			bad[pos[[2]any{b.Sample.CSV, b.Sample.Row}]] = true
		}
	}
	for i := range t.Samples {
		if !bad[i] {
			sp.keep = append(sp.keep, i)
		}
	}
	return sp, nil
}

// Close releases the store's mappings (the encoder belongs to the caller).
func (s *Split) Close() error {
	s.closeStage1()
	if s.reader != nil {
		return s.reader.Close()
	}
	return nil
}

// Target is the store target the split reads.
func (s *Split) Target() *Target { return s.target }

// Len is the number of samples.
func (s *Split) Len() int { return len(s.keep) }

// Dim is the embedding size.
func (s *Split) Dim() int { return s.dim }

// Views is the number of views per sample.
func (s *Split) Views() int { return s.views }

// Label is sample i's label (0 real, 1 fake).
func (s *Split) Label(i int) int { return s.target.Samples[s.keep[i]].Label }

// Subgroup is sample i's subgroup (0..7, -1 unknown).
func (s *Split) Subgroup(i int) int { return s.target.Samples[s.keep[i]].Subgroup }

// Video is sample i's video id.
func (s *Split) Video(i int) string { return s.target.Samples[s.keep[i]].Video }

// ID is sample i's path relative to dataset.fairness_root.
func (s *Split) ID(i int) string { return s.target.IDs[s.keep[i]] }

// Rows writes the embedding of sample idx[j], view views[j], into dst[j*Dim:].
func (s *Split) Rows(idx, views []int, dst []float32) error {
	if len(views) < len(idx) || len(dst) < len(idx)*s.dim {
		return fmt.Errorf("%s: Rows: %d indices, %d views, %d values of room", s.target.Name(), len(idx), len(views), len(dst))
	}
	for j, i := range idx {
		if i < 0 || i >= len(s.keep) || views[j] < 0 || views[j] >= s.views {
			return fmt.Errorf("%s: sample %d view %d out of range (%d samples, %d views)", s.target.Name(), i, views[j], len(s.keep), s.views)
		}
	}
	if s.reader != nil {
		for j, i := range idx {
			if err := s.reader.CLIP(s.keep[i], views[j], dst[j*s.dim:(j+1)*s.dim]); err != nil {
				return err
			}
		}
		return nil
	}
	return s.liveRows(idx, views, dst)
}

// liveRows decodes, augments and encodes the requested rows in batches.
func (s *Split) liveRows(idx, views []int, dst []float32) error {
	t := s.target
	s.liveTok = map[[2]int][]float32{}
	viewOf := make(map[int]int, len(idx))
	var batches [][]int
	var order [][]int // positions j of each batch entry
	// A loader batch holds distinct sample numbers; a sample asked twice in one call
	// (two views) goes to a later batch.
	for j, i := range idx {
		n := s.keep[i]
		placed := false
		for b := range batches {
			if len(batches[b]) < s.enc.batch && !containsInt(batches[b], n) {
				batches[b] = append(batches[b], n)
				order[b] = append(order[b], j)
				placed = true
				break
			}
		}
		if !placed {
			batches = append(batches, []int{n})
			order = append(order, []int{j})
		}
	}
	for b := range batches {
		for k, n := range batches[b] {
			viewOf[n] = views[order[b][k]]
		}
		ld, err := s.enc.loader(t, batches[b:b+1], func(n int) []int { return []int{viewOf[n]} }, data.BadImageFail, nil)
		if err != nil {
			return err
		}
		lb, err := ld.Next()
		ld.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name(), err)
		}
		var px []float32
		for _, v := range lb.Values {
			px = append(px, v...)
		}
		emb, tok, err := s.enc.embedTokens(px, len(lb.Values))
		if err != nil {
			return fmt.Errorf("%s: %w", t.Name(), err)
		}
		for k, j := range order[b] {
			copy(dst[j*s.dim:(j+1)*s.dim], emb[k*s.dim:(k+1)*s.dim])
			if per := len(tok) / len(lb.Values); per > 0 {
				s.liveTok[[2]int{idx[j], views[j]}] = tok[k*per : (k+1)*per]
			}
		}
	}
	return nil
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
