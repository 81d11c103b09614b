package features

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Find opens t's store. When t.Dir holds none, the other stores under the same root
// for t's split and dataset are compared with t's key: a *MismatchError names the
// parts that differ from the most recent one, so a changed weights file or
// preprocessing is never mistaken for a missing extraction, nor used silently.
func Find(t *Target) (*Reader, error) {
	_, err := os.Stat(filepath.Join(t.Dir, "meta.json"))
	if err == nil {
		return Open(t.Dir, t.Key)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("feature store %s: %w", t.Dir, err)
	}
	root := filepath.Dir(t.Dir)
	entries, _ := os.ReadDir(root)
	var best *Meta
	var bestDir string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		m, err := ReadMeta(dir)
		if err != nil || m.Key.Dataset != t.Key.Dataset || m.Key.Split != t.Key.Split {
			continue
		}
		if best == nil || m.Created.After(best.Created) {
			best, bestDir = m, dir
		}
	}
	if best != nil {
		return nil, &MismatchError{Dir: bestDir, Diffs: best.Key.Diff(t.Key)}
	}
	return nil, fmt.Errorf("no feature store for %s under %s: run `fairclip extract --config FILE --splits %s` first, or set features.mode: none",
		t.Name(), root, t.Split)
}
