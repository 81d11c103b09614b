package features

import (
	"errors"
	"fmt"
	"io/fs"
)

// Stage1Stored lists the identities (model.Stage1Identity) of the Stage 1 adapters
// whose outputs the split's store holds complete; none for features.mode: none.
func (s *Split) Stage1Stored() []string {
	if s.reader == nil {
		return nil
	}
	addOns, err := ListStage1(s.target.Dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range addOns {
		if a.Meta.Complete {
			out = append(out, a.Meta.Identity)
		}
	}
	return out
}

// Stage1Rows writes the stored Stage 1 output of sample idx[j], view views[j], into
// dst[j*dim:] when the store holds the outputs of the adapter identity; ok is false
// (and dst untouched) when it does not.
func (s *Split) Stage1Rows(identity string, idx, views []int, dst []float32) (bool, error) {
	if s.reader == nil {
		return false, nil
	}
	s.s1mu.Lock()
	defer s.s1mu.Unlock()
	r, seen := s.s1[identity]
	if !seen {
		var err error
		r, err = OpenStage1(s.target.Dir, identity)
		if errors.Is(err, fs.ErrNotExist) {
			r, err = nil, nil
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", s.target.Name(), err)
		}
		if s.s1 == nil {
			s.s1 = map[string]*Stage1Reader{}
		}
		s.s1[identity] = r
	}
	if r == nil {
		return false, nil
	}
	d := r.Dim()
	if len(views) < len(idx) || len(dst) < len(idx)*d {
		return false, fmt.Errorf("%s: Stage1Rows: %d indices, %d views, %d values of room", s.target.Name(), len(idx), len(views), len(dst))
	}
	for j, i := range idx {
		if i < 0 || i >= len(s.keep) {
			return false, fmt.Errorf("%s: sample %d out of range (%d samples)", s.target.Name(), i, len(s.keep))
		}
		if err := r.Row(s.keep[i], views[j], dst[j*d:(j+1)*d]); err != nil {
			return false, err
		}
	}
	return true, nil
}

func (s *Split) closeStage1() {
	s.s1mu.Lock()
	defer s.s1mu.Unlock()
	for _, r := range s.s1 {
		if r != nil {
			r.Close()
		}
	}
	s.s1 = nil
}
