package train

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/fairloss"
	"github.com/fairclip/fairclip/model"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// DefaultProbeBatches is the number of training batches ProbeFairLoss measures
// when ProbeOptions.Batches is 0.
const DefaultProbeBatches = 10

// ProbeOptions configures ProbeFairLoss (`fairclip probe fairloss`).
type ProbeOptions struct {
	Config config.Config
	Source Source
	// Run, when set, takes the weights of the run folder's best.safetensors
	// (latest.safetensors when there is no best) instead of the initial weights.
	Run string
	// Blurs are the Sinkhorn blurs to measure (empty: the configuration's).
	Blurs []float64
	// LambdaTarget is the wanted effective fairness contribution
	// lambda*L_fair/(L_cls + lambda*L_fair), in (0, 1); 0 means 0.03.
	LambdaTarget float64
	// Batches is the number of training batches (0: DefaultProbeBatches); they are the
	// trainer's batches of epoch 1, then epoch 2, ...
	Batches int
	// Backend overrides the configuration's backend.
	Backend string
}

// ProbeBlur is the fairness loss at one blur.
type ProbeBlur struct {
	Blur float64
	// Statistics of the raw fairness loss over the batches where it is defined.
	Mean, Median, Min, Max float64
	Defined, Undefined     int
	// LambdaForTarget solves lambda*L_fair/(L_cls + lambda*L_fair) = target with the
	// mean classification and fairness losses: target*L_cls/((1-target)*L_fair).
	LambdaForTarget float64
	// ConfigContribution is lambda*L_fair/(L_cls + lambda*L_fair) at the
	// configuration's lambda_fair.
	ConfigContribution float64
	// RatioToFirst is Mean at the first blur divided by Mean at this one ("8x smaller").
	RatioToFirst float64
	// Iterations is the mean number of Sinkhorn iterations per pair (the length of the
	// epsilon schedule from the clouds' diameter down to this blur).
	Iterations float64
}

// ProbeResult is the fairness loss scale of a model on real training batches.
type ProbeResult struct {
	Weights      string // "initial (seed 42)" or the checkpoint and its epoch
	Source       string
	Batches      int
	BatchSize    int
	Training     bool // training-mode forward pass (dropout on), as in a training step
	ClsLoss      float64
	ClsLossMin   float64
	ClsLossMax   float64
	LambdaTarget float64
	ConfigBlur   float64
	ConfigLambda float64
	Weighting    string // loss_weighting.type
	// Diameter is the mean over the loss's pairs of the two clouds' bounding-box
	// diagonal (where the epsilon schedule starts); MinDiameter and MaxDiameter bound it.
	Diameter, MinDiameter, MaxDiameter float64
	Blurs                              []ProbeBlur
}

// ProbeFairLoss measures the Stage 2 fairness loss on the normalized fused features
// z of real training batches for each blur, with the model at initialisation (or at
// a run's checkpoint), and the lambda_fair that gives a target effective
// contribution. The batches, views and dropout masks are those of the trainer's
// first steps, so at initialisation and the configuration's blur the first batch's
// values are those of the first training step.
func ProbeFairLoss(o ProbeOptions) (ProbeResult, error) {
	cfg := o.Config
	res := ProbeResult{Training: true, LambdaTarget: o.LambdaTarget, ConfigBlur: cfg.FairnessLoss.SinkhornBlur,
		ConfigLambda: cfg.LossWeighting.LambdaFair, Weighting: cfg.LossWeighting.Type}
	if res.LambdaTarget == 0 {
		res.LambdaTarget = 0.03
	}
	if res.LambdaTarget <= 0 || res.LambdaTarget >= 1 {
		return res, fmt.Errorf("lambda target %g: must be in (0, 1)", res.LambdaTarget)
	}
	blurs := o.Blurs
	if len(blurs) == 0 {
		blurs = []float64{cfg.FairnessLoss.SinkhornBlur}
	}
	for _, b := range blurs {
		if !(b > 0) || math.IsInf(b, 0) {
			return res, fmt.Errorf("blur %g: must be positive", b)
		}
	}
	nBatches := o.Batches
	if nBatches == 0 {
		nBatches = DefaultProbeBatches
	}
	if nBatches < 0 {
		return res, fmt.Errorf("batches %d: must be positive", nBatches)
	}
	if o.Source == nil {
		return res, errors.New("no feature source")
	}
	w, err := weightingOf(cfg.LossWeighting)
	if err != nil {
		return res, err
	}
	cls, err := NewClsLoss(cfg.Loss)
	if err != nil {
		return res, err
	}
	mcfg, err := model.ConfigFromAll(cfg)
	if err != nil {
		return res, err
	}
	var stage1, params *model.Params
	if o.Run != "" {
		ckpt := filepath.Join(o.Run, "best.safetensors")
		if _, err := os.Stat(ckpt); err != nil {
			ckpt = filepath.Join(o.Run, "latest.safetensors")
		}
		c, err := loadCheckpoint(ckpt, w.Dynamic, [2]float64{0.9, 0.999}, 1e-8, 0, false)
		if err != nil {
			return res, err
		}
		mcfg, stage1, params = c.meta.Model, c.stage1, c.params
		res.Weights = fmt.Sprintf("%s (epoch %d)", ckpt, c.meta.Epoch)
	} else {
		if err := mcfg.Validate(); err != nil {
			return res, err
		}
		if stage1, _, err = LoadStage1(cfg.Stage1Checkpoint, cfg.Model.RandomStage1, mcfg, cfg.Seed+1); err != nil {
			return res, err
		}
		if params, err = model.NewStage2(mcfg, cfg.Seed); err != nil {
			return res, err
		}
		res.Weights = fmt.Sprintf("initial (seed %d)", cfg.Seed)
	}

	if len(cfg.Dataset.TrainDataset) != 1 {
		return res, fmt.Errorf("dataset.train_dataset %v: exactly one is supported", cfg.Dataset.TrainDataset)
	}
	train, err := o.Source.Split("train", cfg.Dataset.TrainDataset[0])
	if err != nil {
		return res, err
	}
	if err := checkSplit(train, "train "+cfg.Dataset.TrainDataset[0], mcfg.Dim); err != nil {
		return res, err
	}
	res.Source = o.Source.Describe()
	t := &trainer{session: session{cfg: cfg}, mcfg: mcfg, cls: cls, train: train, caches: map[Split]*stage1Cache{}}
	if cfg.Dataset.UseSubgroupSampler {
		if t.sampler, err = newSampler(cfg, train, cfg.Training.TrainBatchSize); err != nil {
			return res, err
		}
	}
	be, err := backend.New(chooseBackend(o.Backend, cfg))
	if err != nil {
		return res, err
	}
	if t.eng, err = newEngine(be, mcfg, cls, w, stage1, params); err != nil {
		return res, err
	}
	np := len(params.List)
	exec, err := graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		b := &model.Builder{Cfg: mcfg, Train: true, RNG: in[np+3]}
		out := b.Forward(model.Bind(params, in[:np]), b.CLIP(in[np]), in[np+1])
		return []*graph.Node{out.Z, cls.Graph(out.Logits, in[np+2])}
	})
	if err != nil {
		return res, fmt.Errorf("probe graph: %w", err)
	}

	fair := make([][]float64, len(blurs)) // per blur, per defined batch
	undefined := make([]int, len(blurs))
	iters := make([][]float64, len(blurs)) // per blur, per pair
	var diameters []float64
	var clsLosses []float64
	d := mcfg.Dim
	cache := t.cache(train)
	for epoch := 1; len(clsLosses) < nBatches; epoch++ {
		batches := t.batches(epoch)
		if len(batches) == 0 {
			return res, fmt.Errorf("training.train_batch_size %d: no full batch in the %d training samples", cfg.Training.TrainBatchSize, train.Len())
		}
		for b, idx := range batches {
			if len(clsLosses) == nBatches {
				break
			}
			n := len(idx)
			res.BatchSize = n
			views, labels, groups := make([]int, n), make([]int, n), make([]int, n)
			onehot := make([]float32, 2*n)
			for j, i := range idx {
				views[j] = data.ViewForEpoch(cfg.Seed, epoch, i, train.Views())
				labels[j], groups[j] = train.Label(i), train.Subgroup(i)
				onehot[2*j+labels[j]] = 1
			}
			clip, s1 := make([]float32, n*d), make([]float32, n*d)
			if err := train.Rows(idx, views, clip); err != nil {
				return res, err
			}
			if err := t.stage1For(cache, idx, views, clip, s1); err != nil {
				return res, err
			}
			if s1, err = t.eng.keys(train, idx, views, s1); err != nil {
				return res, err
			}
			rng, err := rngState(cfg.Seed, epoch, b)
			if err != nil {
				return res, err
			}
			args := append(paramArgs(params), matrix(clip, n, d), t.eng.keysArg(s1, n), matrix(onehot, n, 2), rng)
			out, err := exec.Exec(args...)
			if err != nil {
				return res, fmt.Errorf("probe graph: %w", err)
			}
			z32 := tensors.MustCopyFlatData[float32](out[0])
			clsLosses = append(clsLosses, float64(tensors.MustCopyFlatData[float32](out[1])[0]))
			z := make([]float64, len(z32))
			for i, v := range z32 {
				z[i] = float64(v)
			}
			for k, blur := range blurs {
				s := fairloss.Stage2{Blur: blur, P: cfg.FairnessLoss.SinkhornP, Scaling: cfg.FairnessLoss.Scaling,
					MinSamplesPerSubgroup: cfg.FairnessLoss.MinSamplesPerSubgroup, NumSubgroups: cfg.FairnessLoss.NumSubgroups}
				r, err := s.Loss(z, n, d, labels, groups)
				if err != nil || !r.Defined {
					// The trainer counts such a batch as undefined (its term is 0).
					undefined[k]++
					continue
				}
				fair[k] = append(fair[k], r.Value)
				for _, pt := range r.Breakdown.Pairs {
					iters[k] = append(iters[k], float64(pt.Iterations))
					if k == 0 {
						diameters = append(diameters, pt.Diameter)
					}
				}
			}
		}
	}
	res.Batches = len(clsLosses)
	st := probeStats(clsLosses)
	res.ClsLoss, res.ClsLossMin, res.ClsLossMax = st.mean, st.min, st.max
	ds := probeStats(diameters)
	res.Diameter, res.MinDiameter, res.MaxDiameter = ds.mean, ds.min, ds.max
	for k, blur := range blurs {
		fs := probeStats(fair[k])
		pb := ProbeBlur{Blur: blur, Mean: fs.mean, Median: fs.median, Min: fs.min, Max: fs.max,
			Defined: len(fair[k]), Undefined: undefined[k], Iterations: probeStats(iters[k]).mean}
		tgt := res.LambdaTarget
		pb.LambdaForTarget = tgt * res.ClsLoss / ((1 - tgt) * pb.Mean)
		lam := cfg.LossWeighting.LambdaFair
		pb.ConfigContribution = lam * pb.Mean / (res.ClsLoss + lam*pb.Mean)
		first := fs.mean
		if k > 0 {
			first = res.Blurs[0].Mean
		}
		pb.RatioToFirst = first / pb.Mean
		if len(fair[k]) == 0 {
			pb.LambdaForTarget, pb.ConfigContribution, pb.RatioToFirst = math.NaN(), math.NaN(), math.NaN()
		}
		res.Blurs = append(res.Blurs, pb)
	}
	return res, nil
}

// probeSampleStats are summary statistics of a sample (NaN when empty).
type probeSampleStats struct{ mean, median, min, max float64 }

func probeStats(v []float64) probeSampleStats {
	if len(v) == 0 {
		nan := math.NaN()
		return probeSampleStats{nan, nan, nan, nan}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	var sum float64
	for _, x := range s {
		sum += x
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return probeSampleStats{mean: sum / float64(len(s)), median: med, min: s[0], max: s[len(s)-1]}
}
