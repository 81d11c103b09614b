package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/features/featuretest"
)

func TestExtractAndFeaturesCLI(t *testing.T) {
	root := t.TempDir()
	if err := featuretest.WriteDataset(root, 6); err != nil {
		t.Fatal(err)
	}
	feat := filepath.Join(root, "feat")
	cfgPath := filepath.Join(root, "exp.yaml")
	yaml := fmt.Sprintf("dataset:\n  fairness_root: %s\n  resolution: 40\n  test_dataset: [ff++]\nevaluation:\n  test_datasets: [ff++]\nclip_weights: random:tiny:seed=1\nfeatures:\n  dir: %s\n  views: 2\n", root, feat)
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "extract", "--config", cfgPath, "--splits", "train,val", "--batch", "4")
	if code != 0 {
		t.Fatalf("extract: exit %d\n%s%s", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "train/ff++") || !strings.Contains(lines[0], "12 samples x 2 views, dim 32") {
		t.Fatalf("extract output:\n%s", out)
	}
	dir := strings.Fields(lines[0][strings.Index(lines[0], "->")+2:])[0]
	dir = strings.TrimSuffix(dir, ",")

	code, out, _ = runCLI(t, "features", "info", "--json", dir)
	var info struct {
		N      int    `json:"n"`
		Views  int    `json:"views"`
		DType  string `json:"dtype"`
		Labels [2]int `json:"labels"`
		Key    struct{ Backbone, Split string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
		t.Fatalf("features info --json: exit %d\n%s", code, out)
	}
	if info.N != 12 || info.Views != 2 || info.DType != "float32" || info.Labels != [2]int{6, 6} || info.Key.Backbone != "random:tiny:seed=1" || info.Key.Split != "train" {
		t.Errorf("info %+v", info)
	}
	if code, out, _ = runCLI(t, "features", "info", dir); code != 0 || !strings.Contains(out, "real 6, fake 6") {
		t.Errorf("features info: exit %d\n%s", code, out)
	}
	if code, out, _ = runCLI(t, "features", "verify", dir); code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("features verify: exit %d\n%s", code, out)
	}
	f, err := os.OpenFile(filepath.Join(dir, "clip-00000.bin"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte{1, 2, 3, 4}, 8)
	f.Close()
	if code, _, errOut = runCLI(t, "features", "verify", dir); code != 2 || !strings.Contains(errOut, "checksum") {
		t.Errorf("verify of a corrupted store: exit %d, %s", code, errOut)
	}
	if code, _, errOut = runCLI(t, "extract", "--config", cfgPath, "--splits", "nope"); code != 2 || !strings.Contains(errOut, "unknown split") {
		t.Errorf("extract --splits nope: exit %d, %s", code, errOut)
	}
}
