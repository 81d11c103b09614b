package synth

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/fairclip/fairclip/data"
)

// TestGenerateAttributesLayouts writes each layout and reads it back with the
// data package's readers: every subgroup comes back with its count.
func TestGenerateAttributesLayouts(t *testing.T) {
	for _, layout := range []string{data.LayoutFairFace, data.LayoutUTKFace, data.LayoutGeneric} {
		out := t.TempDir()
		index, err := GenerateAttributes(context.Background(), AttributeImageOptions{Out: out, Layout: layout, PerSubgroup: 3, ImageSize: 24, Seed: 5})
		if err != nil {
			t.Fatalf("%s: %v", layout, err)
		}
		src := data.AttributeSource{Name: layout, Layout: layout, CSV: index}
		if layout == data.LayoutUTKFace {
			src = data.AttributeSource{Name: layout, Layout: layout, Root: index}
		}
		ix, err := data.LoadAttributes(src)
		if err != nil {
			t.Fatalf("%s: %v", layout, err)
		}
		var counts [8]int
		for _, s := range ix.Samples {
			counts[s.Subgroup]++
			if _, err := data.DecodeImage(s.Path); err != nil {
				t.Fatalf("%s: %v", layout, err)
			}
		}
		if counts != [8]int{3, 3, 3, 3, 3, 3, 3, 3} || ix.SkippedUnknown != 0 {
			t.Errorf("%s: subgroup counts %v, skipped %d", layout, counts, ix.SkippedUnknown)
		}
	}
	if _, err := GenerateAttributes(context.Background(), AttributeImageOptions{Out: t.TempDir(), Layout: "celeba", PerSubgroup: 1}); err == nil {
		t.Error("unknown layout accepted")
	}
}

func TestAttributeFeatures(t *testing.T) {
	opts := AttributeFeatureOptions{Dataset: "fairface", Counts: [8]int{40, 40, 40, 40, 40, 40, 40, 40}, Dim: 64, Seed: 1, StructureSeed: 9}
	a, err := AttributeFeatures(opts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := AttributeFeatures(opts)
	if !reflect.DeepEqual(a, b) {
		t.Error("not deterministic")
	}
	for i := range a.Len() {
		var ss float64
		for _, v := range a.Row(i) {
			ss += float64(v) * float64(v)
		}
		if math.Abs(ss-1) > 1e-5 || a.Labels[i] != 0 {
			t.Fatalf("row %d: norm² %g label %d", i, ss, a.Labels[i])
		}
	}
	// The race structure is the deepfake sets' own: the white-minus-black mean
	// direction agrees with the one of ff++ features from the same structure seed.
	ff, err := Features(FeatureOptions{Dataset: "ff++", Split: "realtrain", Counts: opts.Counts, Dim: 64, Seed: 2, StructureSeed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if c := cosine(raceContrast(a), raceContrast(ff)); c < 0.8 {
		t.Errorf("race contrast cosine %g between attribute and ff++ features, want > 0.8", c)
	}
	other, _ := Features(FeatureOptions{Dataset: "ff++", Split: "realtrain", Counts: opts.Counts, Dim: 64, Seed: 2, StructureSeed: 10})
	if c := cosine(raceContrast(a), raceContrast(other)); math.Abs(c) > 0.5 {
		t.Errorf("race contrast cosine %g with another structure seed, want near 0", c)
	}
	if _, err := AttributeFeatures(AttributeFeatureOptions{Dataset: "x", Dim: 64}); err == nil {
		t.Error("zero counts accepted")
	}
}

// raceContrast is mean(white) - mean(black) over both genders.
func raceContrast(fs *FeatureSet) []float64 {
	out := make([]float64, fs.Dim)
	for i := range fs.Len() {
		sign := 0.0
		switch fs.Subgroups[i] % 4 {
		case data.RaceWhite:
			sign = 1
		case data.RaceBlack:
			sign = -1
		}
		for k, v := range fs.Row(i) {
			out[k] += sign * float64(v)
		}
	}
	return out
}

func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}
