package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/features/featuretest"
	"github.com/fairclip/fairclip/runs"
)

// featureConfig trains a tiny head on a tiny random ViT (width 32, 2 layers, patch 8,
// resolution 32) over a few generated images, with K=3 augmented training views.
func featureConfig(t *testing.T) config.Config {
	root := t.TempDir()
	if err := featuretest.WriteDataset(root, 16); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Model.FeatureDim, cfg.Model.Stage1HiddenDim, cfg.Model.Stage2HiddenDim = 32, 12, 10
	cfg.Model.ClassifierHiddenDims = []int{8, 4}
	cfg.Model.RandomStage1, cfg.Stage1Checkpoint = true, ""
	cfg.Training.NumEpochs, cfg.Training.TrainBatchSize, cfg.Training.ValBatchSize = 2, 16, 8
	cfg.Dataset.FairnessRoot, cfg.Dataset.Resolution = root, 40
	cfg.Dataset.TrainDataset, cfg.Dataset.ValidationDataset, cfg.Dataset.TestDataset = []string{"ff++"}, []string{"ff++"}, []string{"ff++"}
	cfg.Evaluation.TestDatasets, cfg.Evaluation.TestEveryNEpochs = []string{"ff++"}, 2
	cfg.ClipWeights = "random:tiny:seed=4"
	cfg.Features = config.Features{Mode: features.ModeDisk, Dir: filepath.Join(root, "features"), Views: 3}
	cfg.Logging.LogDir = t.TempDir()
	cfg.Optimizer.LR = 1e-3
	return cfg
}

func runWith(t *testing.T, cfg config.Config) string {
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
	return o.RunDir
}

// epochLosses reads the epochs' training losses and validation AUCs.
func epochLosses(t *testing.T, dir string) [][2]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, runs.EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct {
			Type      string             `json:"type"`
			TrainLoss float64            `json:"train_loss"`
			Val       map[string]float64 `json:"val"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err == nil && ev.Type == "epoch" {
			out = append(out, [2]float64{ev.TrainLoss, ev.Val["auc"]})
		}
	}
	return out
}

// TestStoreTrainingEqualsLive trains two epochs from the store and with
// features.mode: none: the trainer's inputs, losses and validation scores agree bit
// for bit.
func TestStoreTrainingEqualsLive(t *testing.T) {
	cfg := featureConfig(t)
	if _, err := features.Extract(context.Background(), cfg, features.ExtractOptions{ShardSize: 8}); err != nil {
		t.Fatal(err)
	}
	live := cfg
	live.Features.Mode = features.ModeNone

	// The trainer's inputs: every batch of two epochs with its views.
	disk, err := NewFeatureSource(cfg, features.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	liveSrc, err := NewFeatureSource(live, features.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer liveSrc.Close()
	a, err := disk.Split("train", "ff++")
	if err != nil {
		t.Fatal(err)
	}
	b, err := liveSrc.Split("train", "ff++")
	if err != nil {
		t.Fatal(err)
	}
	if a.Views() != 3 || b.Views() != 3 {
		t.Fatalf("views: store %d, live %d, want 3", a.Views(), b.Views())
	}
	sampler, err := data.NewSubgroupSampler(subgroupsOf(a), cfg.Training.TrainBatchSize, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	usedViews := map[int]bool{}
	for epoch := 1; epoch <= 2; epoch++ {
		for _, idx := range sampler.Epoch(epoch) {
			views := make([]int, len(idx))
			for j, i := range idx {
				views[j] = data.ViewForEpoch(cfg.Seed, epoch, i, a.Views())
				usedViews[views[j]] = true
			}
			ra, rb := make([]float32, len(idx)*a.Dim()), make([]float32, len(idx)*a.Dim())
			if err := a.Rows(idx, views, ra); err != nil {
				t.Fatal(err)
			}
			if err := b.Rows(idx, views, rb); err != nil {
				t.Fatal(err)
			}
			for k := range ra {
				if math.Float32bits(ra[k]) != math.Float32bits(rb[k]) {
					t.Fatalf("epoch %d: sample %d view %d [%d]: store %v, live %v", epoch, idx[k/a.Dim()], views[k/a.Dim()], k%a.Dim(), ra[k], rb[k])
				}
			}
		}
	}
	if len(usedViews) < 2 {
		t.Errorf("two epochs used views %v only: augmentation views untested", usedViews)
	}

	// Whole runs.
	dDisk, dLive := runWith(t, cfg), runWith(t, live)
	requireSameRuns(t, dDisk, dLive, "store", "live")
}

func TestFeatureSourceWithoutStore(t *testing.T) {
	cfg := featureConfig(t)
	src, err := NewFeatureSource(cfg, features.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Split("train", "ff++"); err == nil {
		t.Fatal("disk mode without a store: no error")
	}
	cfg.Features.Mode = "sometimes"
	if _, err := NewFeatureSource(cfg, features.Options{}, nil); err == nil {
		t.Fatal("features.mode sometimes: no error")
	}
}

// requireSameRuns checks that two 2-epoch runs have identical epoch losses, validation
// AUCs and validation score files.
func requireSameRuns(t *testing.T, dirA, dirB, nameA, nameB string) {
	t.Helper()
	la, lb := epochLosses(t, dirA), epochLosses(t, dirB)
	if len(la) != 2 || len(lb) != 2 {
		t.Fatalf("epoch events: %s %d, %s %d, want 2", nameA, len(la), nameB, len(lb))
	}
	for e := range la {
		if la[e] != lb[e] {
			t.Errorf("epoch %d: %s (loss, val auc) %v, %s %v", e+1, nameA, la[e], nameB, lb[e])
		}
	}
	for e := 1; e <= 2; e++ {
		sa, err := os.ReadFile(runs.ScoresPath(dirA, "val", "ff++", e))
		if err != nil {
			t.Fatal(err)
		}
		sb, err := os.ReadFile(runs.ScoresPath(dirB, "val", "ff++", e))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(sa, sb) {
			t.Errorf("epoch %d: validation scores differ between %s and %s", e, nameA, nameB)
		}
	}
}
