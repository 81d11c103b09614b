package data

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ErrIndex marks every error about an index file's content (missing file or
// column, bad value, path escaping the root); test with errors.Is.
var ErrIndex = errors.New("bad dataset index")

// IndexError names the index file and 1-based data row at fault (row 0 is the
// header or the file as a whole).
type IndexError struct {
	File string
	Row  int
	Err  error
}

func (e *IndexError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("%s row %d: %v", e.File, e.Row, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the cause.
func (e *IndexError) Unwrap() error { return e.Err }

// Is reports ErrIndex.
func (e *IndexError) Is(target error) bool { return target == ErrIndex }

func indexErr(file string, row int, format string, args ...any) error {
	return &IndexError{File: file, Row: row, Err: fmt.Errorf(format, args...)}
}

// IndexOptions are the dataset-section settings every index reader honours.
type IndexOptions struct {
	// Root is dataset.fairness_root: image paths in the index are relative to it
	// and must stay inside it.
	Root string
	// SkipUnknownAttributes drops samples whose gender or race is unknown
	// (dataset.skip_unknown_attributes); they are counted in Index.SkippedUnknown.
	SkipUnknownAttributes bool
}

// Index is the result of reading one or more index files.
type Index struct {
	Samples []Sample
	// Files are the index files read, in order.
	Files []string
	// SkippedUnknown counts samples dropped by SkipUnknownAttributes.
	SkippedUnknown int
}

// Append adds other's samples, files and counts to ix.
func (ix *Index) Append(other Index) {
	ix.Samples = append(ix.Samples, other.Samples...)
	ix.Files = append(ix.Files, other.Files...)
	ix.SkippedUnknown += other.SkippedUnknown
}

// resolveImagePath joins rel to root and fails when the result leaves root.
func resolveImagePath(root, rel string) (string, error) {
	if rel == "" {
		return "", fmt.Errorf("empty image path")
	}
	p := filepath.FromSlash(rel)
	if filepath.IsAbs(p) {
		r, err := filepath.Rel(filepath.Clean(root), filepath.Clean(p))
		if err != nil || !filepath.IsLocal(r) {
			return "", fmt.Errorf("image path %q escapes fairness_root %q", rel, root)
		}
		return filepath.Clean(p), nil
	}
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("image path %q escapes fairness_root %q", rel, root)
	}
	return filepath.Join(root, p), nil
}

// VideoFromPath derives the video id the way the reference does: the file name
// (with extension) split on "_", without its first and last parts, rejoined
// with "_". A name with one part is its own video id; note that a name with
// exactly two parts gives the empty id, as in the reference.
func VideoFromPath(path string) string {
	name := filepath.Base(filepath.FromSlash(path))
	parts := strings.Split(name, "_")
	if len(parts) < 2 {
		return name
	}
	return strings.Join(parts[1:len(parts)-1], "_")
}
