package train

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

func runOut(t *testing.T, cfg config.Config) (string, string) {
	t.Helper()
	src, err := NewFeatureSource(cfg, features.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out bytes.Buffer
	o := Options{Config: cfg, Source: src, RunDir: filepath.Join(t.TempDir(), "run"), Version: "test", Out: &out}
	if _, err := Run(context.Background(), o); err != nil {
		t.Fatalf("%s: %v\n%s", src.Describe(), err, out.String())
	}
	return o.RunDir, out.String()
}

// stage1AddOns moves the Stage 1 add-ons of every store under root out of the way
// (hide) or back.
func stage1AddOns(t *testing.T, root, aside string, hide bool) int {
	t.Helper()
	from, to := root, aside
	if !hide {
		from, to = aside, root
	}
	matches, err := filepath.Glob(filepath.Join(from, "*", features.Stage1DirPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matches {
		rel, _ := filepath.Rel(from, m)
		if err := os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(m, filepath.Join(to, rel)); err != nil {
			t.Fatal(err)
		}
	}
	return len(matches)
}

// TestStoredStage1EqualsComputed trains two epochs from a store holding the Stage 1
// outputs and from the same store without them (the trainer computes s1): the epoch
// losses and validation scores agree bit for bit. A store holding another adapter's
// outputs is not used for s1, and the log says so.
func TestStoredStage1EqualsComputed(t *testing.T) {
	cfg := featureConfig(t)
	sums, err := features.Extract(context.Background(), cfg, features.ExtractOptions{ShardSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Stage1Dir == "" {
			t.Fatalf("%s: no Stage 1 outputs extracted", s.Target)
		}
	}
	dStored, outStored := runOut(t, cfg)
	if !strings.Contains(outStored, "Stage 1 outputs: read from the feature store") {
		t.Fatalf("the run did not read the stored Stage 1 outputs:\n%s", outStored)
	}
	aside := t.TempDir()
	if n := stage1AddOns(t, cfg.Features.Dir, aside, true); n != len(sums) {
		t.Fatalf("moved %d add-ons, want %d", n, len(sums))
	}
	dComputed, outComputed := runOut(t, cfg)
	if strings.Contains(outComputed, "Stage 1 outputs:") {
		t.Fatalf("a store without Stage 1 outputs: %s", outComputed)
	}
	requireSameRuns(t, dStored, dComputed, "stored s1", "computed s1")

	// Another adapter (one weight changed, loaded from a file): the stored outputs
	// are not used.
	stage1AddOns(t, cfg.Features.Dir, aside, false)
	a1, _, err := model.LoadStage1Config(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names, ts, err := model.TorchStage1Adapter(a1)
	if err != nil {
		t.Fatal(err)
	}
	ts[names[0]].Data[0] += 0.5
	st := map[string]safetensors.Tensor{}
	for _, n := range names {
		st[n] = safetensors.Tensor{DType: "F32", Shape: ts[n].Shape, F32: ts[n].Data}
	}
	other := cfg
	other.Model.RandomStage1, other.Stage1Checkpoint = false, filepath.Join(t.TempDir(), "a1.safetensors")
	other.Training.NumEpochs = 1
	if err := safetensors.WriteFile(other.Stage1Checkpoint, names, st, nil); err != nil {
		t.Fatal(err)
	}
	_, outOther := runOut(t, other)
	if !strings.Contains(outOther, "not this one") || strings.Contains(outOther, "read from the feature store") {
		t.Errorf("another adapter's stored outputs:\n%s", outOther)
	}
}
