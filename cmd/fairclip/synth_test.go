package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/data"
)

// TestSynthAttributes writes a one-face-per-subgroup attribute set in each layout and
// reads it back with data.LoadAttributes through the printed config entry: 8 real
// faces, one per subgroup.
func TestSynthAttributes(t *testing.T) {
	entry := regexp.MustCompile(`\{name: (\S+), layout: (\S+), (csv|root): "([^"]+)"\}`)
	for _, layout := range []string{data.LayoutFairFace, data.LayoutUTKFace, data.LayoutGeneric} {
		t.Run(layout, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), layout)
			code, stdout, stderr := runCLI(t, "synth", "--out", out, "--attributes", layout, "--per-subgroup", "1", "--seed", "3")
			if code != 0 {
				t.Fatalf("code %d: %s", code, stderr)
			}
			if !strings.Contains(stdout, "wrote 8 faces ("+layout+" layout, 1 per subgroup, 64px, seed 3)") {
				t.Errorf("stdout %q", stdout)
			}
			m := entry.FindStringSubmatch(stdout)
			if m == nil || m[2] != layout {
				t.Fatalf("no attribute_datasets entry in %q", stdout)
			}
			src := data.AttributeSource{Name: m[1], Layout: layout}
			if m[3] == "csv" {
				src.CSV = m[4]
			} else {
				src.Root = m[4]
			}
			ix, err := data.LoadAttributes(src)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[int]int{}
			for _, s := range ix.Samples {
				seen[s.Subgroup]++
				if s.Label != 0 {
					t.Errorf("%s: label %d, want 0 (real)", s.Path, s.Label)
				}
				if _, err := os.Stat(s.Path); err != nil {
					t.Error(err)
				}
			}
			if len(ix.Samples) != 8 || len(seen) != 8 {
				t.Errorf("%d samples over subgroups %v, want one in each of 8", len(ix.Samples), seen)
			}
		})
	}
}

func TestSynthAttributesBadInput(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "x"), []byte("x"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"synth", "--out", t.TempDir(), "--attributes", "celeba"}, `--attributes "celeba": want fairface, utkface or generic`},
		{[]string{"synth", "--out", t.TempDir(), "--attributes", "generic", "--per-subgroup", "-1"}, "--per-subgroup -1"},
		{[]string{"synth", "--out", t.TempDir(), "--per-subgroup", "3"}, "--per-subgroup needs --attributes"},
		{[]string{"synth", "--out", full, "--attributes", "generic"}, "is not empty"},
		{[]string{"synth", "--out", t.TempDir(), "--attributes", "generic", "--scale", "huge"}, `unknown scale "huge"`},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: code %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestSynthBiasFlagsBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"synth", "--out", t.TempDir(), "--visibility", "1,2"}, "--visibility \"1,2\": want 8 comma-separated values"},
		{[]string{"synth", "--out", t.TempDir(), "--real-lookalike", "1,1,1,1,1,1,1,x"}, "--real-lookalike"},
		{[]string{"synth", "--out", t.TempDir(), "--real-lookalike", "2,0,0,0,0,0,0,0"}, "real_lookalike[0] = 2"},
		{[]string{"synth", "--out", t.TempDir(), "--lookalike-strength", "-1"}, "lookalike_strength -1"},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: code %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
