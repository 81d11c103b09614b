package train

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
)

// EvalOptions configures `fairclip eval`.
type EvalOptions struct {
	// Run is a run folder: its config.yaml and best.safetensors (latest.safetensors
	// when there is no best) are used, and scores go to its scores/ folder.
	Run string
	// Checkpoint and Config evaluate a checkpoint outside a run folder; scores go
	// beside the checkpoint in scores/.
	Checkpoint string
	Config     *config.Config
	// Datasets to evaluate; empty: the configuration's test datasets. The
	// validation dataset's name evaluates its validation split.
	Datasets   []string
	Convention string // "" : the configuration's evaluation.fairness_convention
	Source     Source
	Backend    string
	Out        io.Writer
}

// EvalResult is one dataset's evaluation.
type EvalResult struct {
	Dataset    string
	Split      string
	Metrics    metrics.Result
	ScoresFile string
}

// Eval scores datasets with a trained checkpoint, writes their score CSVs and prints
// the detection and fairness metrics table.
func Eval(o EvalOptions) ([]EvalResult, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	var cfg config.Config
	ckpt, outDir := o.Checkpoint, ""
	switch {
	case o.Run != "" && o.Checkpoint != "":
		return nil, errors.New("give either a run folder or a checkpoint, not both")
	case o.Run != "":
		c, _, err := config.Load(filepath.Join(o.Run, runs.ConfigFile), nil)
		if err != nil {
			return nil, err
		}
		cfg, outDir = c, o.Run
		ckpt = filepath.Join(o.Run, "best.safetensors")
		if _, err := os.Stat(ckpt); err != nil {
			ckpt = filepath.Join(o.Run, "latest.safetensors")
		}
	case o.Checkpoint != "":
		if o.Config == nil {
			return nil, errors.New("--checkpoint needs --config")
		}
		cfg, outDir = *o.Config, filepath.Dir(o.Checkpoint)
	default:
		return nil, errors.New("give --run RUNDIR or --checkpoint CK --config FILE")
	}
	if o.Source == nil {
		return nil, errors.New("no feature source: pass --synthetic-features (the feature store is not available yet)")
	}
	w, err := weightingOf(cfg.LossWeighting)
	if err != nil {
		return nil, err
	}
	c, err := loadCheckpoint(ckpt, w.Dynamic, [2]float64{0.9, 0.999}, 1e-8, 0, false)
	if err != nil {
		return nil, err
	}
	cls, err := NewClsLoss(cfg.Loss)
	if err != nil {
		return nil, err
	}
	be, err := backend.New(chooseBackend(o.Backend, cfg))
	if err != nil {
		return nil, err
	}
	t := &trainer{session: session{cfg: cfg, out: o.Out}, mcfg: c.meta.Model, cls: cls, caches: map[Split]*stage1Cache{}}
	if t.eng, err = newEngine(be, t.mcfg, cls, w, c.stage1, c.params); err != nil {
		return nil, err
	}
	conv := o.Convention
	if conv == "" {
		conv = cfg.Evaluation.FairnessConvention
	}
	datasets := o.Datasets
	if len(datasets) == 0 {
		datasets = cfg.Evaluation.TestDatasets
	}
	if err := os.MkdirAll(filepath.Join(outDir, runs.ScoresDir), 0o755); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Out, "Checkpoint %s (epoch %d), convention %s\n", ckpt, c.meta.Epoch, conv)
	fmt.Fprintf(o.Out, "%-10s %-5s %7s %7s %7s %7s %9s %9s %9s %9s\n", "dataset", "split", "AUC", "ACC", "EER", "AP", "F_FPR%", "F_OAE%", "F_DP%", "F_MEO%")
	var results []EvalResult
	for _, ds := range datasets {
		split := "test"
		if len(cfg.Dataset.ValidationDataset) > 0 && ds == cfg.Dataset.ValidationDataset[0] {
			split = "val"
		}
		s, err := o.Source.Split(split, ds)
		if err != nil {
			return nil, err
		}
		if err := checkSplit(s, split+" "+ds, t.mcfg.Dim); err != nil {
			return nil, err
		}
		preds, err := t.predict(s, t.cache(s))
		if err != nil {
			return nil, err
		}
		in := metricsInput(s, preds)
		r, err := metrics.Evaluate(in, metrics.Options{Convention: conv})
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", split, ds, err)
		}
		path := runs.ScoresPath(outDir, "eval_"+split, ds, c.meta.Epoch)
		if err := writeScores(path, in); err != nil {
			return nil, err
		}
		f := r.Fairness.Intersectional
		fmt.Fprintf(o.Out, "%-10s %-5s %7.4f %7.4f %7.4f %7.4f %9.2f %9.2f %9.2f %9.2f\n", ds, split, r.AUC, r.ACC, r.EER, r.AP,
			100*f.FFPR, 100*f.FOAE, 100*f.FDP, 100*f.FMEO)
		results = append(results, EvalResult{Dataset: ds, Split: split, Metrics: r, ScoresFile: path})
	}
	return results, nil
}
