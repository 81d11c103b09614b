package synth

import (
	"fmt"
	"math"

	"github.com/fairclip/fairclip/data"
)

// AttributeFeatureOptions configures a synthetic face-attribute feature set: the
// CLIP-like features of a Stage 1 training set (FairFace, UTKFace or a generic
// attribute CSV), real faces with race and gender only.
type AttributeFeatureOptions struct {
	// Dataset names the set; it seeds the rows and the set's own domain shift.
	Dataset string
	// Counts is the number of rows per subgroup (race + 4*female).
	Counts [8]int
	// Dim is the feature dimension; 0 means 768.
	Dim int
	// Seed draws the rows.
	Seed int64
	// StructureSeed draws the race and gender directions; with the value given to
	// Features, the attribute structure is the same as in the deepfake sets, so
	// that an adapter that removes it here removes it there.
	StructureSeed int64
	// Difficulty scales the per-sample noise; 0 means 1.
	Difficulty float64
}

// attributeShift is the attribute sets' domain shift relative to ff++.
const attributeShift = 0.15

// AttributeFeatures generates an attribute feature set: row i is
// normalize(noise + 0.30 race direction + 0.20 gender direction + a domain shift),
// with the race and gender directions of Features for the same StructureSeed.
// Labels are all 0 (real faces); every row is its own identity (Videos = IDs).
func AttributeFeatures(opts AttributeFeatureOptions) (*FeatureSet, error) {
	dim := opts.Dim
	if dim == 0 {
		dim = 768
	}
	if dim < 8 {
		return nil, fmt.Errorf("synth attribute features: dim %d too small (want >= 8)", dim)
	}
	if opts.Dataset == "" {
		return nil, fmt.Errorf("synth attribute features: no dataset name")
	}
	difficulty := opts.Difficulty
	if difficulty == 0 {
		difficulty = 1
	}
	if !(difficulty > 0) || math.IsInf(difficulty, 0) {
		return nil, fmt.Errorf("synth attribute features: difficulty %v must be positive", opts.Difficulty)
	}
	total := 0
	for g, c := range opts.Counts {
		if c < 0 {
			return nil, fmt.Errorf("synth attribute features: negative count %d for subgroup %d", c, g)
		}
		total += c
	}
	if total == 0 {
		return nil, fmt.Errorf("synth attribute features: all counts are zero")
	}
	dirs := newDirections(opts.StructureSeed, "ff++", styles["ff++"], dim)
	nameHash := int64(stringHash(opts.Dataset))
	shift := make([]float64, dim)
	fillNormal(data.NewRand(opts.StructureSeed, 6, nameHash), shift, 1)
	shift = normalized(shift)
	rng := data.NewRand(opts.Seed, 7, nameHash)
	noiseStd := difficulty / math.Sqrt(float64(dim))
	fs := &FeatureSet{Dim: dim, Features: make([]float32, total*dim), Labels: make([]int, total),
		Subgroups: make([]int, total), Videos: make([]string, total), IDs: make([]string, total),
		Dataset: opts.Dataset, Split: "train"}
	acc := make([]float64, dim)
	i := 0
	for g, c := range opts.Counts {
		race, gender := g%4, g/4
		for k := range c {
			for j := range acc {
				acc[j] = rng.NormFloat64()*noiseStd + raceMagnitude*dirs.race[race][j] +
					genderMagnitude*dirs.gender[gender][j] + attributeShift*shift[j]
			}
			normalizeInto(fs.Features[i*dim:(i+1)*dim], acc)
			fs.Subgroups[i] = g
			fs.IDs[i] = fmt.Sprintf("%s/sg%d/%05d", opts.Dataset, g, k)
			fs.Videos[i] = fs.IDs[i]
			i++
		}
	}
	return fs, nil
}
