package features

import (
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/features/featuretest"
)

func writeDataset(t testing.TB, root string, n int) {
	t.Helper()
	if err := featuretest.WriteDataset(root, n); err != nil {
		t.Fatal(err)
	}
}

// testConfig is a config over root with the tiny random ViT, K views of the
// training split, and stores under featDir.
func testConfig(root, featDir string, views int) config.Config {
	c := config.Default()
	c.Dataset.FairnessRoot = root
	c.Dataset.TrainDataset = []string{"ff++"}
	c.Dataset.ValidationDataset = []string{"ff++"}
	c.Dataset.TestDataset = []string{"ff++"}
	c.Evaluation.TestDatasets = []string{"ff++"}
	c.Dataset.Resolution = 40
	c.Dataset.UseDataAugmentation = true
	c.ClipWeights = "random:tiny:seed=3"
	c.Features = config.Features{Mode: ModeDisk, Dir: featDir, Views: views}
	c.Seed = 5
	return c
}
