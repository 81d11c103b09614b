package synth

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Bias is the demographic bias planted in a generated dataset. Two mechanisms, both
// per subgroup (index = race + 4*female: male-asian, male-white, male-black,
// male-other, female-asian, female-white, female-black, female-other):
//
//   - Visibility scales every forgery artifact (colour mismatch, resampling grid,
//     blending seam) of a fake: fainter artifacts, more missed fakes (an FNR/TPR gap).
//   - RealLookalike is the share of real videos captured through a beauty
//     filter (newRetouch: the face smoothed and warmed, a swap's colour change at
//     LookalikeStrength of a fake's, without its grid or seam): more real faces
//     flagged as fake by a detector that leans on colour (an FPR gap).
//
// The subgroup and label imbalance of FF++ (FFPPTrainCounts, 80% fake in train) is
// part of every dataset and is not switched by Bias.
type Bias struct {
	Visibility        [8]float64 `json:"visibility"`
	RealLookalike     [8]float64 `json:"real_lookalike"`
	LookalikeStrength float64    `json:"lookalike_strength"`
}

// DefaultBias is what `fairclip synth` plants unless told otherwise: artifacts
// fainter on darker skin and in the rarer subgroups, and real faces of the Asian and
// Black subgroups retouched more often.
var DefaultBias = Bias{
	Visibility:        SubgroupVisibility,
	RealLookalike:     [8]float64{0.35, 0.05, 0.35, 0.1, 0.35, 0.05, 0.35, 0.1},
	LookalikeStrength: 0.7,
}

// NoBias has full visibility everywhere and no retouched real faces.
var NoBias = Bias{Visibility: [8]float64{1, 1, 1, 1, 1, 1, 1, 1}}

// ScaledBias moves DefaultBias towards NoBias: 0 is NoBias, 1 DefaultBias, values in
// between interpolate (visibility 1 - k*(1 - v), lookalike share k*r), values above 1
// exaggerate it (clamped to [0, 1]).
func ScaledBias(k float64) Bias {
	b := Bias{LookalikeStrength: DefaultBias.LookalikeStrength}
	for g := range 8 {
		b.Visibility[g] = clamp01(1 - k*(1-DefaultBias.Visibility[g]))
		b.RealLookalike[g] = clamp01(k * DefaultBias.RealLookalike[g])
	}
	return b
}

// Validate checks the ranges.
func (b Bias) Validate() error {
	for g := range 8 {
		if !(b.Visibility[g] >= 0 && b.Visibility[g] <= 2) {
			return fmt.Errorf("synth: bias visibility[%d] = %g: want 0..2", g, b.Visibility[g])
		}
		if !(b.RealLookalike[g] >= 0 && b.RealLookalike[g] <= 1) {
			return fmt.Errorf("synth: bias real_lookalike[%d] = %g: want 0..1", g, b.RealLookalike[g])
		}
	}
	if !(b.LookalikeStrength >= 0 && b.LookalikeStrength <= 2) {
		return fmt.Errorf("synth: bias lookalike_strength %g: want 0..2", b.LookalikeStrength)
	}
	return nil
}

// ParseSubgroupValues parses 8 comma-separated numbers, one per subgroup.
func ParseSubgroupValues(s string) ([8]float64, error) {
	var out [8]float64
	parts := strings.Split(s, ",")
	if len(parts) != 8 {
		return out, fmt.Errorf("%q: want 8 comma-separated values (one per subgroup 0..7), got %d", s, len(parts))
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return out, fmt.Errorf("%q: value %d: %w", s, i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// MetadataFile is the JSON file (in the dataset root) recording how it was made.
const MetadataFile = "synth.json"

// Metadata is the content of MetadataFile.
type Metadata struct {
	Generator string                 `json:"generator"`
	Scale     string                 `json:"scale"`
	Seed      int64                  `json:"seed"`
	Images    int                    `json:"images"`
	Bias      Bias                   `json:"bias"`
	Styles    map[string]StyleReport `json:"styles"`
}

// StyleReport is a dataset's artifact mix as written to the metadata.
type StyleReport struct {
	Strength   float64 `json:"strength"`
	Colour     float64 `json:"colour_mismatch"`
	Grid       float64 `json:"resampling_grid"`
	Seam       float64 `json:"blending_seam"`
	SoftEdge   bool    `json:"soft_edge"`
	Noise      float64 `json:"sensor_noise"`
	BlockQuant int     `json:"block_quantization"`
	ColourCast float64 `json:"colour_cast"`
}

func metadata(sum *Summary, b Bias) ([]byte, error) {
	m := Metadata{Generator: "fairclip synth v2", Scale: sum.Scale.Name, Seed: sum.Seed, Images: sum.Images, Bias: b,
		Styles: map[string]StyleReport{}}
	for _, ds := range Datasets {
		st := styles[ds]
		m.Styles[ds] = StyleReport{Strength: st.strength, Colour: st.mix[0], Grid: st.mix[1], Seam: st.mix[2],
			SoftEdge: st.blurEdges, Noise: st.noise, BlockQuant: st.jpeg, ColourCast: st.hueShift}
	}
	out, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, fmt.Errorf("synth: metadata: %w", err)
	}
	return append(out, '\n'), nil
}
