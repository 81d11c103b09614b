package train

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fairclip/fairclip/fairloss"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/safetensors"
)

// parityFixture is what a PyTorch parity generator (testdata/gen/parity*.py) wrote as
// its input: the head's shape and loss settings in the metadata, the initial weights
// under the original's key names, and the batch.
type parityFixture struct {
	file           *safetensors.File
	sd             map[string]model.Tensor
	labels, groups []int
}

func loadParityFixture(t *testing.T, name string) parityFixture {
	t.Helper()
	f, err := safetensors.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	fx := parityFixture{file: f, sd: model.FromSafetensors(f.Tensors)}
	for i, v := range f.Tensors["input.labels"].I64 {
		fx.labels = append(fx.labels, int(v))
		fx.groups = append(fx.groups, int(f.Tensors["input.subgroups"].I64[i]))
	}
	return fx
}

func (fx parityFixture) atoi(k string) int {
	v, _ := strconv.Atoi(fx.file.Metadata[k])
	return v
}

func (fx parityFixture) atof(k string) float64 {
	v, _ := strconv.ParseFloat(fx.file.Metadata[k], 64)
	return v
}

// config is the head the generators build; callers add what their test varies.
func (fx parityFixture) config() model.Config {
	return model.Config{Dim: fx.atoi("dim"), Stage1Hidden: fx.atoi("stage1_hidden"), Stage2Hidden: fx.atoi("stage2_hidden"),
		Heads: fx.atoi("heads"), ClassifierHidden: []int{16, 8}, NumClasses: 2, GateInitBias: 1, Normalize: true}
}

// models builds Stage 1 and Stage 2 for cfg and loads the generator's initial weights.
func (fx parityFixture) models(t *testing.T, cfg model.Config) (stage1, params *model.Params) {
	t.Helper()
	stage1 = model.NewStage1(cfg, 0)
	params, err := model.NewStage2(cfg, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range []*model.Params{stage1, params} {
		if err := model.LoadTorchStateDict(ps, fx.sd, ""); err != nil {
			t.Fatal(err)
		}
	}
	return stage1, params
}

// losses returns the generator's loss settings, with the fairness loss when fair.
func (fx parityFixture) losses(fair bool) (ClsLoss, Weighting, *fairloss.Stage2) {
	cls := ClsLoss{Type: "cross_entropy", LabelSmoothing: fx.atof("label_smoothing")}
	if !fair {
		return cls, Weighting{LambdaCls: 1}, nil
	}
	fl := &fairloss.Stage2{Blur: fx.atof("blur"), P: 2, Scaling: fx.atof("scaling"), MinSamplesPerSubgroup: 2, NumSubgroups: 8}
	return cls, Weighting{LambdaCls: 1, LambdaFair: fx.atof("lambda_fair")}, fl
}
