package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBaseMerge(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"root.yaml": "model:\n  dropout: 0.3\n  gate_init_bias: 1.0\ndataset:\n  test_dataset: [celebdf, dfd, dfdc]\n  resolution: 224\noptimizer:\n  lr: 0.001\n",
		// mid sits in another directory: its base is relative to itself.
		"sub/mid.yaml":       "base: ../root.yaml\nmodel:\n  dropout: 0.2\ndataset:\n  test_dataset: [dfd]\n",
		"sub/deep/leaf.yaml": "base: ../mid.yaml\noptimizer:\n  weight_decay: 0.05\n",
	})
	c, notices, err := Load(filepath.Join(dir, "sub", "deep", "leaf.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Model.Dropout != 0.2 || *c.Model.GateInitBias != 1.0 || c.Dataset.Resolution != 224 ||
		!slices.Equal(c.Dataset.TestDataset, []string{"dfd"}) || c.Optimizer.LR != 0.001 ||
		c.Optimizer.WeightDecay != 0.05 || c.Training.NumEpochs != 30 || c.Base != "" {
		t.Errorf("merge wrong: %+v", c)
	}
	if len(notices) != 0 {
		t.Errorf("gate_init_bias from the base should count as set: %v", notices)
	}
	// --set applies on top of the whole chain.
	c, _, err = Load(filepath.Join(dir, "sub", "deep", "leaf.yaml"), []string{"model.dropout=0.0"})
	if err != nil || c.Model.Dropout != 0 {
		t.Errorf("set over base: %v %v", c.Model.Dropout, err)
	}
}

func TestBaseErrorsNameTheirFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yaml":  "seed: 1\noptimizer:\n  lr: -1.0\n  betaz: [0.9, 0.99]\n",
		"child.yaml": "base: base.yaml\noptimizer:\n  lr: 0.001\n",
		"r.yaml":     "seed: 1\nmodel:\n  dropout: 2.0\n",
		"rc.yaml":    "base: r.yaml\nseed: 2\n",
	})
	_, _, err := Load(filepath.Join(dir, "child.yaml"), nil)
	var ue *UnknownKeyError
	if !errors.As(err, &ue) || !strings.HasSuffix(ue.File, "base.yaml") || ue.Line != 4 || ue.Suggestion != "optimizer.betas" {
		t.Errorf("unknown key in base: %v", err)
	}
	_, _, err = Load(filepath.Join(dir, "rc.yaml"), nil)
	var re *RangeError
	if !errors.As(err, &re) || !strings.HasSuffix(re.File, "r.yaml") || re.Line != 3 {
		t.Errorf("range error from base should point into the base: %v", err)
	}
}

func TestBaseCycle(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml":     "base: b.yaml\n",
		"b.yaml":     "base: sub/c.yaml\n",
		"sub/c.yaml": "base: ../a.yaml\n",
		"self.yaml":  "base: self.yaml\n",
	})
	_, _, err := Load(filepath.Join(dir, "a.yaml"), nil)
	var ce *CycleError
	if !errors.As(err, &ce) || len(ce.Chain) != 4 || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
	want := []string{"a.yaml", "b.yaml", "c.yaml", "a.yaml"}
	for i, w := range want {
		if filepath.Base(ce.Chain[i]) != w {
			t.Errorf("chain %v, want %v", ce.Chain, want)
			break
		}
	}
	if !strings.Contains(err.Error(), " -> ") {
		t.Errorf("message %q", err)
	}
	_, _, err = Load(filepath.Join(dir, "self.yaml"), nil)
	if !errors.As(err, &ce) || len(ce.Chain) != 2 {
		t.Errorf("self cycle: %v", err)
	}
}

func TestBaseMissing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": "base: nope.yaml\n"})
	_, _, err := Load(filepath.Join(dir, "a.yaml"), nil)
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.File, "nope.yaml") || !strings.Contains(fe.File, "a.yaml") {
		t.Errorf("got %v", err)
	}
}

func TestMergeListsReplace(t *testing.T) {
	base, _ := parseYAML("b", []byte("x:\n  l: [1, 2, 3]\n  k: 1\n"))
	over, _ := parseYAML("o", []byte("x:\n  l: [4]\ny: 2\n"))
	m := merge(base, over)
	if got := m.get("x.l"); got == nil || len(got.items) != 1 || got.items[0].i != 4 {
		t.Errorf("list not replaced: %+v", got)
	}
	if got := m.get("x.k"); got == nil || got.i != 1 {
		t.Errorf("map entry lost")
	}
	if got := m.get("y"); got == nil || got.i != 2 {
		t.Errorf("new key lost")
	}
	if len(base.get("x.l").items) != 3 {
		t.Errorf("merge modified its input")
	}
}
