package sweep

import (
	"path/filepath"
	"testing"
)

// TestShippedSpacesParse checks the example spaces under configs/sweeps.
func TestShippedSpacesParse(t *testing.T) {
	files, err := filepath.Glob("../configs/sweeps/*.yaml")
	if err != nil || len(files) < 5 {
		t.Fatalf("found %d example spaces (%v)", len(files), err)
	}
	for _, f := range files {
		s, err := LoadSpace(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if s.Trials <= 0 || len(s.Objectives) == 0 {
			t.Errorf("%s: trials %d objectives %d", f, s.Trials, len(s.Objectives))
		}
	}
}
