package quickstart

import (
	"fmt"
	"io"

	"github.com/fairclip/fairclip/train"
)

// Options configures Run. Zero values take the defaults in brackets.
type Options struct {
	// Out is the output directory ["quickstart-out"]. It must be empty, missing, or a
	// previous quickstart's output (which is replaced).
	Out string
	// Scale is the synthetic dataset's scale: "tiny" or "small" ["tiny"].
	Scale string
	// Seed seeds the dataset, the random ViT, the adapters and the runs [42].
	Seed int64
	// Epochs is Exp1's number of epochs [30, the configuration's]; Exp2 and Exp3
	// keep their ratio to Exp1 (25 and 30 of 30).
	Epochs int
	// BatchSize is the training batch size [32: 4 per subgroup, 8 batches per epoch
	// at the tiny scale, whose smallest subgroup has 35 training images; the
	// lambda_fair series takes twice as many, 4 per subgroup and label].
	BatchSize int
	// Seeds is the number of training seeds of the lambda_fair series and the
	// gate_init_bias contrast [3]: Seed (the runs in the report) and Seed+1, ...,
	// whose runs go to runs/seeds/; the quickstart reports their means, so that one
	// lucky seed does not decide what the series shows. The data and the backbone
	// stay those of Seed.
	Seeds int
	// TestEvery runs the test datasets every this many epochs [2].
	TestEvery int
	// LRScale multiplies every experiment's learning rate [10]: a tiny-scale run takes
	// 240 steps where the original took about 9,000 (x30 saturates the gate and ends
	// lower; docs/quickstart.md).
	LRScale float64
	// Stage1Epochs trains the Stage 1 adapter this many epochs; -1 [the default] uses a
	// seeded random adapter: on the tiny synthetic set a trained A1 lowered Exp1's val
	// AUC (0.81 against 0.86-0.89) and doubles the extraction (docs/quickstart.md).
	Stage1Epochs int
	// Bootstrap is the report's number of bootstrap resamples [1000].
	Bootstrap int
	// Arch overrides the random ViT's architecture: a features.RandomArchs name or
	// w<width>l<layers>h<heads>p<patch>r<resolution>o<output> [w64l2h4p8r64o64].
	Arch string
	// Backend overrides the configurations' GoMLX backend.
	Backend string
	// Version is fairclip's version, written to the run folders.
	Version string
	// Log receives the progress and the summary (nil: discarded); Progress draws the
	// trainer's per-epoch progress bars on it.
	Log      io.Writer
	Progress bool
}

// Result is where a quickstart put everything.
type Result struct {
	Out       string
	Data      string            // synthetic fairness root
	ConfigDir string            // the embedded original configurations, written out
	Configs   map[string]string // experiment name -> resolved configuration file used
	Features  string            // feature store root
	Backbone  string            // the random ViT's weights spec
	Stage1    string            // how the Stage 1 adapter was made
	Stage1Run string            // Stage 1 run folder ("" when random)
	Runs      []string          // Exp1-3 and the variants' run folders (in the report)
	// SeedRuns are the lambda_fair series and the gate contrast at the other training
	// seeds (Seeds-1 of them), under runs/seeds/.
	SeedRuns   []string
	Report     string // report.md
	ReportHTML string
	Plots      string   // PNG plots folder
	Pareto     []string // the lambda_fair series' accuracy/fairness Pareto plots (under Plots)
	// Probe is `fairclip probe fairloss` on the trained Exp1 at blur 1e-4 and 1e-3.
	Probe   train.ProbeResult
	Seconds float64
	// BatchSize is Exp1's training batch size (the series' is twice it).
	BatchSize int
}

// scaleSizes are the per-scale sizes of the quickstart.
type scaleSizes struct {
	// arch is the random ViT (features.ParseRandomSpec): width 64, 2 layers, 4 heads,
	// patch 8 on the 64-pixel synthetic faces, 64-d output. The 32-pixel "tiny" ViT
	// loses most of the forgery cues (linear-probe val AUC 0.61 against 0.81).
	arch string
}

var scales = map[string]scaleSizes{
	"tiny":  {arch: "w64l2h4p8r64o64"},
	"small": {arch: "w64l2h4p8r64o64"},
}

func (o Options) withDefaults() (Options, error) {
	if o.Out == "" {
		o.Out = "quickstart-out"
	}
	if o.Scale == "" {
		o.Scale = "tiny"
	}
	if _, ok := scales[o.Scale]; !ok {
		return o, fmt.Errorf("quickstart: scale %q: want tiny or small", o.Scale)
	}
	if o.Seed == 0 {
		o.Seed = 42
	}
	if o.Arch == "" {
		o.Arch = scales[o.Scale].arch
	}
	if o.Epochs == 0 {
		o.Epochs = 30
	}
	if o.BatchSize == 0 {
		o.BatchSize = 32
	}
	if o.Seeds == 0 {
		o.Seeds = 3
	}
	if o.TestEvery == 0 {
		o.TestEvery = 2
	}
	if o.LRScale == 0 {
		o.LRScale = 10
	}
	if o.Stage1Epochs == 0 {
		o.Stage1Epochs = -1
	}
	if o.Bootstrap == 0 {
		o.Bootstrap = 1000
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	switch {
	case o.Epochs < 1:
		return o, fmt.Errorf("quickstart: epochs %d: must be >= 1", o.Epochs)
	case o.BatchSize < 8:
		return o, fmt.Errorf("quickstart: batch size %d: must be >= 8 (one sample per subgroup)", o.BatchSize)
	case o.Seeds < 1:
		return o, fmt.Errorf("quickstart: seeds %d: must be >= 1", o.Seeds)
	case o.TestEvery < 1:
		return o, fmt.Errorf("quickstart: test every %d epochs: must be >= 1", o.TestEvery)
	case o.LRScale < 0:
		return o, fmt.Errorf("quickstart: learning-rate scale %g: must be positive", o.LRScale)
	case o.Stage1Epochs < -1:
		return o, fmt.Errorf("quickstart: stage 1 epochs %d: want -1 (random) or >= 1", o.Stage1Epochs)
	case o.Bootstrap < 0:
		return o, fmt.Errorf("quickstart: bootstrap %d: must be >= 0", o.Bootstrap)
	}
	return o, nil
}
