package train

import (
	"errors"
	"io"
	"time"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
)

// Options configures one training run.
type Options struct {
	Config config.Config
	// ConfigYAML is the resolved configuration written to the run's config.yaml
	// (config.Marshal of Config when nil).
	ConfigYAML []byte
	Source     Source
	// RunDir puts the run in this folder (--run-dir); empty: logs/{experiment}_{time}.
	RunDir string
	// Resume continues the run in this folder from its last completed epoch.
	Resume string
	// Backend overrides the configuration's backend ("go", "xla:/abs/plugin.so").
	Backend string
	Version string
	// Out receives the printed log; Progress draws a progress bar per epoch on it.
	Out      io.Writer
	Progress bool
	// DryRun validates, builds the model, prints the counts and the plan, and stops.
	DryRun bool
	Now    func() time.Time
	// AfterBatch, when set, is called after every training batch (tests use it to
	// interrupt a run mid-epoch through the context).
	AfterBatch func(epoch, batch int)

	// initHook edits the freshly initialised trainable parameters (tests construct
	// runs that must trigger the detectors).
	initHook func(*model.Params)
}

// Result summarizes a finished (or stopped) run.
type Result struct {
	RunDir          string
	Status          string
	EpochsCompleted int
	BestEpoch       int
	BestValue       float64
	Plan            Plan
}

// Plan is what a run will do.
type Plan struct {
	Epochs          int
	BatchesPerEpoch int
	BatchSize       int
	TrainSamples    int
	ValSamples      int
	Validations     []int // epochs with a validation
	TestEpochs      []int // epochs with scheduled tests (new bests add more)
	TestDatasets    []string
}

// ErrNonFinite is returned when a loss or gradient is NaN or infinite.
var ErrNonFinite = errors.New("non-finite loss or gradient")

// ModelConfig is the head's shape from the experiment configuration.
func ModelConfig(m config.Model) model.Config { return model.ConfigFrom(m) }
