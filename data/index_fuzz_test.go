package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadFairnessCSV checks that any CSV content either parses into samples
// that satisfy the reader's invariants or fails with an IndexError.
func FuzzReadFairnessCSV(f *testing.F) {
	f.Add(csvHeader + "a/x_v_0.png,0,1,1,-1,-1,0,0\n")
	f.Add(csvHeader + "../x.png,1,-1,-1,-1,-1,7,0\n")
	f.Add("img_path,label\n\"a\n")
	f.Add(csvHeader + "a_b.png,1.0,nan,,1,1,0,0\n")
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		ix, err := readFairnessCSV(strings.NewReader(content), "f.csv", "d", "test", IndexOptions{Root: root})
		if err != nil {
			if !errors.Is(err, ErrIndex) {
				t.Fatalf("error %v is not an index error", err)
			}
			return
		}
		for _, s := range ix.Samples {
			if s.Label != 0 && s.Label != 1 {
				t.Fatalf("label %d", s.Label)
			}
			if s.Subgroup < -1 || s.Subgroup > 7 || (s.Subgroup >= 0 && s.Subgroup != s.Race+4*s.Gender) {
				t.Fatalf("subgroup %d gender %d race %d", s.Subgroup, s.Gender, s.Race)
			}
			rel, err := filepath.Rel(root, s.Path)
			if err != nil || !filepath.IsLocal(rel) {
				t.Fatalf("path %q escapes %q", s.Path, root)
			}
		}
	})
}

// FuzzReadDeepfakeBenchJSON checks that any JSON content either parses or
// fails with an IndexError, never panicking.
func FuzzReadDeepfakeBenchJSON(f *testing.F) {
	f.Add(dfbJSON)
	f.Add(`{"a": {"FF-real": {"test": {"v": {"label": "FF-real", "frames": ["f.png"]}}}}}`)
	f.Add(`{"a": {"FF-real": {"test": {"c23": {"v": {"frames": []}}}}}}`)
	f.Add(`[]`)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, content string) {
		path := filepath.Join(dir, "x.json")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		ix, err := ReadDeepfakeBenchJSON(path, JSONOptions{IndexOptions: IndexOptions{Root: dir}, Split: "test"})
		if err != nil {
			if !errors.Is(err, ErrIndex) {
				t.Fatalf("error %v is not an index error", err)
			}
			return
		}
		for _, s := range ix.Samples {
			if s.Label != 0 && s.Label != 1 {
				t.Fatalf("label %d", s.Label)
			}
		}
	})
}
