package train

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/fairclip/fairclip/config"
)

// TestStage1Measure is the measurement of docs/stage1.md: configs/stage1.yaml
// (768-d, the original's settings) on the "small" synthetic features for
// FAIRCLIP_STAGE1_MEASURE epochs. Opt-in: it takes minutes.
func TestStage1Measure(t *testing.T) {
	epochs, err := strconv.Atoi(os.Getenv("FAIRCLIP_STAGE1_MEASURE"))
	if err != nil || epochs < 1 {
		t.Skip("set FAIRCLIP_STAGE1_MEASURE=EPOCHS to run")
	}
	cfg, _, err := config.Load("../configs/stage1.yaml", []string{"training.num_epochs=" + strconv.Itoa(epochs)})
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewSynthetic("small", cfg.Model.FeatureDim, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunStage1(context.Background(), Options{Config: cfg, Source: src, RunDir: t.TempDir() + "/run", Out: os.Stdout})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
}
