package synth

import (
	"fmt"
	"slices"
)

// FFPPTrainCounts are the subgroup sizes of FF++'s annotated training set
// (male-asian, male-white, male-black, male-other, female-asian, female-white,
// female-black, female-other): the proportions synthetic training sets follow.
var FFPPTrainCounts = [8]int{2475, 25443, 1468, 4163, 8013, 31281, 1111, 2185}

// Datasets are the synthetic datasets, in the order they are generated.
var Datasets = []string{"ff++", "celebdf", "dfd", "dfdc"}

// SplitsOf lists the PG-FDD index files (without .csv) of a dataset: ff++ has
// train and validation splits, the others only a test split.
func SplitsOf(dataset string) []string {
	if dataset == "ff++" {
		return []string{"realtrain", "faketrain", "realval", "fakeval", "test"}
	}
	return []string{"test"}
}

// SubgroupVisibility is the default relative strength of forgery evidence per
// subgroup (1 = the dataset's full strength). Darker skin tones and the rarer
// subgroups get weaker evidence, so a detector trained on the imbalanced data
// has the subgroup gaps the fairness loss is meant to reduce.
var SubgroupVisibility = [8]float64{0.8, 1.0, 0.55, 0.7, 0.85, 0.95, 0.5, 0.65}

// style is the per-dataset forgery and capture style shared by the image and
// feature generators.
type style struct {
	strength  float64    // artifact strength relative to ff++
	overlap   float64    // cosine between the dataset's fake direction and ff++'s
	shift     float64    // domain shift away from ff++
	noise     float64    // extra sensor noise (relative)
	blurEdges bool       // smooth blending boundary (celebdf)
	mix       [3]float64 // weights of the colour mismatch, resampling grid and seam
	jpeg      int        // JPEG-like quantization step for dfdc (0: none)
	hueShift  float64    // global colour cast of the capture
}

var styles = map[string]style{
	// ff++: every artifact; celebdf: smoothed boundary, no seam, a faint grid (better
	// blending); dfd: mostly the grid and the seam (good colour correction); dfdc: mostly
	// colour, under block quantization and double noise (compressed, low quality).
	"ff++":    {strength: 1.0, overlap: 1.0, shift: 0.0, noise: 1.0, mix: [3]float64{1, 1, 1}},
	"celebdf": {strength: 0.55, overlap: 0.55, shift: 0.6, noise: 0.8, blurEdges: true, hueShift: 0.04, mix: [3]float64{1.8, 0.6, 0}},
	"dfd":     {strength: 0.75, overlap: 0.7, shift: 0.45, noise: 1.0, hueShift: -0.03, mix: [3]float64{0.5, 1.3, 1.2}},
	"dfdc":    {strength: 0.6, overlap: 0.5, shift: 0.8, noise: 2.0, jpeg: 12, hueShift: 0.02, mix: [3]float64{1.5, 0.8, 0.6}},
}

func styleOf(dataset string) (style, error) {
	st, ok := styles[dataset]
	if !ok {
		return style{}, fmt.Errorf("synth: unknown dataset %q (want one of %v)", dataset, Datasets)
	}
	return st, nil
}

func datasetIndex(dataset string) int64 { return int64(slices.Index(Datasets, dataset)) }
