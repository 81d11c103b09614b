package model

// Stage 1 (REFERENCE.md section 7): the fairness adapter A1 trained on frozen CLIP
// features, with race and gender heads behind a gradient-reversal op. The heads
// follow the original's FairnessAdapter: Linear(D, 256) ReLU Dropout Linear(256, 4)
// for race and Linear(D, 128) ReLU Dropout Linear(128, 2) for gender, initialised
// with kaiming_uniform(a=sqrt(5)) weights and zero biases. A1 keeps fairclip's names
// (A1Prefix) while training; TorchStage1Adapter renames it for export.

// Parameter name prefixes of the Stage 1 heads (the original's module names).
const (
	RaceHeadPrefix   = "race_classifier."
	GenderHeadPrefix = "gender_classifier."
	// TorchA1Prefix is where the original's Stage 1 checkpoint keeps A1.
	TorchA1Prefix = "additive_adapter.adapter."
)

// Stage 1 head shapes.
const (
	NumRaces     = 4
	NumGenders   = 2
	RaceHidden   = 256
	GenderHidden = 128
)

// headLayers are the Sequential indices of a head's two Linears.
var headLayers = [2]int{0, 3}

// NewStage1Trainable returns A1 (as NewStage1) followed by the race and gender
// heads: every parameter Stage 1 trains, initialised from seed.
func NewStage1Trainable(cfg Config, seed int64) *Params {
	ps := NewStage1(cfg, seed)
	addHead(ps, RaceHeadPrefix, cfg.Dim, RaceHidden, NumRaces, seed, 7)
	addHead(ps, GenderHeadPrefix, cfg.Dim, GenderHidden, NumGenders, seed, 8)
	return ps
}

func addHead(ps *Params, prefix string, in, hidden, out int, seed, stream int64) {
	dims := [3]int{in, hidden, out}
	for l, idx := range headLayers {
		w := ps.Add(linearName(prefix, idx, "weight"), dims[l+1], dims[l])
		ps.Add(linearName(prefix, idx, "bias"), dims[l+1])
		uniform(newRand(seed, stream, int64(l)), w.Data, linearBound(dims[l]))
	}
}

// Stage1Adapter returns the A1 parameters of ps (trainable or frozen set) as a
// new set with fairclip's names, for Stage 2.
func Stage1Adapter(ps *Params) (*Params, error) {
	out := NewParams()
	for _, idx := range adapterLayers {
		for _, what := range []string{"weight", "bias"} {
			name := linearName(A1Prefix, idx, what)
			p := ps.Get(name)
			if p == nil {
				return nil, errMissing(name)
			}
			q := out.Add(name, p.Shape...)
			copy(q.Data, p.Data)
		}
	}
	return out, nil
}

// TorchStage1Adapter returns A1 under the original's PyTorch state-dict names,
// additive_adapter.adapter.{0,3,6}.{weight,bias} ([out, in] weights), in that order.
func TorchStage1Adapter(ps *Params) ([]string, map[string]Tensor, error) {
	var names []string
	out := map[string]Tensor{}
	for _, idx := range adapterLayers {
		for _, what := range []string{"weight", "bias"} {
			p := ps.Get(linearName(A1Prefix, idx, what))
			if p == nil {
				return nil, nil, errMissing(linearName(A1Prefix, idx, what))
			}
			name := linearName(TorchA1Prefix, idx, what)
			names = append(names, name)
			out[name] = Tensor{Shape: append([]int(nil), p.Shape...), Data: append([]float32(nil), p.Data...)}
		}
	}
	return names, out, nil
}

type missingParamError string

func (e missingParamError) Error() string { return "no parameter " + string(e) }

func errMissing(name string) error { return missingParamError(name) }
