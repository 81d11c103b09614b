package synth

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestRetouchedShares: the share of retouched real videos per subgroup follows
// Bias.RealLookalike (within binomial noise), and NoBias retouches none.
func TestRetouchedShares(t *testing.T) {
	sc := Scales["small"]
	for name, tc := range map[string]struct {
		bias  Bias
		check func(g int, share float64, n int) bool
	}{
		"default": {DefaultBias, func(g int, share float64, n int) bool {
			want := DefaultBias.RealLookalike[g]
			return math.Abs(share-want) <= 4*math.Sqrt(want*(1-want)/float64(n))+0.02
		}},
		"none": {NoBias, func(_ int, share float64, _ int) bool { return share == 0 }},
	} {
		var real, retouched [8]int
		for _, v := range plan(sc) {
			if v.label != 0 {
				continue
			}
			r, err := newVideoRenderer(sc, 3, tc.bias, v)
			if err != nil {
				t.Fatal(err)
			}
			real[v.subgroup]++
			if r.retouched {
				retouched[v.subgroup]++
			}
		}
		for g := range 8 {
			share := float64(retouched[g]) / float64(real[g])
			if !tc.check(g, share, real[g]) {
				t.Errorf("%s: subgroup %d: %d of %d real videos retouched (%.3f), want about %.2f",
					name, g, retouched[g], real[g], share, tc.bias.RealLookalike[g])
			}
		}
	}
}

// TestScaledBias: 0 is NoBias, 1 DefaultBias.
func TestScaledBias(t *testing.T) {
	if got := ScaledBias(0); got.Visibility != NoBias.Visibility || got.RealLookalike != NoBias.RealLookalike {
		t.Errorf("ScaledBias(0) = %+v", got)
	}
	if got := ScaledBias(1); got != DefaultBias {
		t.Errorf("ScaledBias(1) = %+v, want %+v", got, DefaultBias)
	}
	if _, err := ParseSubgroupValues("1,2,3"); err == nil {
		t.Error("3 values accepted")
	}
	if err := (Bias{Visibility: [8]float64{-1}}).Validate(); err == nil {
		t.Error("negative visibility accepted")
	}
}

// TestMetadataRecordsBias: synth.json holds the bias the data was made with.
func TestMetadataRecordsBias(t *testing.T) {
	out := t.TempDir()
	b := ScaledBias(0.5)
	if _, err := generate(t.Context(), Options{Out: out, Seed: 1, Bias: &b}, microScale); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(out, MetadataFile))
	if err != nil {
		t.Fatal(err)
	}
	var m Metadata
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if m.Bias != b || m.Seed != 1 || m.Styles["dfdc"].BlockQuant == 0 {
		t.Errorf("metadata %+v, want bias %+v", m, b)
	}
}
