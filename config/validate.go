package config

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Allowed names of the enumerated keys.
var (
	SchedulerNames      = []string{"WarmupCosine", "CosineAnnealingWarmRestarts", "CosineAnnealingLR"}
	LossTypes           = []string{"cross_entropy", "focal", "bce"}
	WeightingTypes      = []string{"fixed", "dynamic"}
	MetricsForBest      = []string{"auc", "acc", "eer"}
	FairnessConventions = []string{"fairclip", "pgfdd", "deepfakebench"}
	FeatureModes        = []string{"disk", "none"}
	BadImagePolicies    = []string{"fail", "skip"}
	OptimizerTypes      = []string{"adamw"}
	FusionKeys          = []string{"cls", "tokens"}
)

// Validate checks a resolved configuration's values: ranges, enumerations and
// cross-key constraints. It returns nil or the RangeErrors joined (ErrInvalid).
func Validate(c Config) error {
	return validate(c, nil)
}

// validate is Validate with positions looked up in the tree the values came from.
func validate(c Config, tree *node) error {
	var errs []error
	bad := func(key string, value any, format string, args ...any) {
		e := &RangeError{Key: key, Value: show(value), Reason: fmt.Sprintf(format, args...)}
		if n := tree.get(key); n != nil {
			e.File, e.Line, e.Column = n.at.file, n.at.line, n.at.col
		}
		errs = append(errs, e)
	}
	positive := func(key string, v int) {
		if v < 1 {
			bad(key, v, "must be at least 1")
		}
	}
	nonNegInt := func(key string, v int) {
		if v < 0 {
			bad(key, v, "must be 0 or more")
		}
	}
	positiveF := func(key string, v float64) {
		if !isFinite(v) || v <= 0 {
			bad(key, v, "must be a finite number > 0")
		}
	}
	nonNegF := func(key string, v float64) {
		if !isFinite(v) || v < 0 {
			bad(key, v, "must be a finite number >= 0")
		}
	}
	finite := func(key string, v float64) {
		if !isFinite(v) {
			bad(key, v, "must be finite")
		}
	}
	halfOpen := func(key string, v float64) { // [0, 1)
		if !(v >= 0 && v < 1) {
			bad(key, v, "must be in [0, 1)")
		}
	}
	oneOf := func(key, v string, allowed []string) {
		if !slices.Contains(allowed, v) {
			bad(key, v, "must be one of %s", strings.Join(allowed, ", "))
		}
	}

	m := c.Model
	if m.ClipName == "" {
		bad("model.clip_name", m.ClipName, "must not be empty")
	}
	positive("model.feature_dim", m.FeatureDim)
	positive("model.stage1_hidden_dim", m.Stage1HiddenDim)
	positive("model.stage2_hidden_dim", m.Stage2HiddenDim)
	positive("model.fusion_num_heads", m.FusionNumHeads)
	if m.FusionNumHeads > 0 && m.FeatureDim > 0 && m.FeatureDim%m.FusionNumHeads != 0 {
		bad("model.fusion_num_heads", m.FusionNumHeads, "must divide model.feature_dim (%d): attention runs on the %d-d fused features", m.FeatureDim, m.FeatureDim)
	}
	for i, h := range m.ClassifierHiddenDims {
		if h < 1 {
			bad(fmt.Sprintf("model.classifier_hidden_dims[%d]", i), h, "must be at least 1")
		}
	}
	if m.NumClasses != 2 {
		bad("model.num_classes", m.NumClasses, "must be 2 (real, fake)")
	}
	halfOpen("model.dropout", m.Dropout)
	if m.GateInitBias != nil {
		finite("model.gate_init_bias", *m.GateInitBias)
	}
	if c.Stage1Checkpoint == "" && !m.RandomStage1 && c.Stage != 1 {
		bad("stage1_checkpoint", c.Stage1Checkpoint, "is empty: give the Stage 1 checkpoint, or set model.random_stage1: true for a seeded random Stage 1 adapter")
	}

	ds := c.Dataset
	if len(ds.TrainDataset) == 0 {
		bad("dataset.train_dataset", ds.TrainDataset, "must name at least one dataset")
	}
	positive("dataset.resolution", ds.Resolution)
	oneOf("dataset.on_bad_image", ds.OnBadImage, BadImagePolicies)
	if len(c.Mean) != 3 {
		bad("mean", c.Mean, "must have 3 values (R, G, B)")
	}
	for i, v := range c.Mean {
		finite(fmt.Sprintf("mean[%d]", i), v)
	}
	if len(c.Std) != 3 {
		bad("std", c.Std, "must have 3 values (R, G, B)")
	}
	for i, v := range c.Std {
		positiveF(fmt.Sprintf("std[%d]", i), v)
	}

	tr := c.Training
	positive("training.num_epochs", tr.NumEpochs)
	positive("training.train_batch_size", tr.TrainBatchSize)
	positive("training.val_batch_size", tr.ValBatchSize)
	nonNegInt("training.num_workers", tr.NumWorkers)
	if ds.SubgroupSamplerByLabel && !ds.UseSubgroupSampler {
		bad("dataset.subgroup_sampler_by_label", true, "needs dataset.use_subgroup_sampler: true (it changes how that sampler balances its batches)")
	}
	if ds.UseSubgroupSampler && tr.TrainBatchSize < c.FairnessLoss.NumSubgroups {
		bad("training.train_batch_size", tr.TrainBatchSize, "must be at least fairness_loss.num_subgroups (%d) when dataset.use_subgroup_sampler is true (each batch takes batch/num_subgroups samples per subgroup)", c.FairnessLoss.NumSubgroups)
	}

	o := c.Optimizer
	oneOf("optimizer.type", o.Type, OptimizerTypes)
	positiveF("optimizer.lr", o.LR)
	nonNegF("optimizer.weight_decay", o.WeightDecay)
	if len(o.Betas) != 2 {
		bad("optimizer.betas", o.Betas, "must have 2 values")
	}
	for i, b := range o.Betas {
		halfOpen(fmt.Sprintf("optimizer.betas[%d]", i), b)
	}
	positiveF("optimizer.eps", o.Eps)

	s := c.Scheduler
	oneOf("scheduler.name", s.Name, SchedulerNames)
	positive("scheduler.T_0", s.T0)
	positive("scheduler.T_mult", s.TMult)
	nonNegF("scheduler.eta_min", s.EtaMin)
	nonNegInt("scheduler.warmup_epochs", s.WarmupEpochs)
	if s.UseScheduler && s.Name == "WarmupCosine" && s.WarmupEpochs >= tr.NumEpochs && tr.NumEpochs > 0 {
		bad("scheduler.warmup_epochs", s.WarmupEpochs, "must be less than training.num_epochs (%d) for WarmupCosine", tr.NumEpochs)
	}
	if isFinite(o.LR) && o.LR > 0 && s.EtaMin > o.LR {
		bad("scheduler.eta_min", s.EtaMin, "must not exceed optimizer.lr (%s)", show(o.LR))
	}

	l := c.Loss
	oneOf("loss.type", l.Type, LossTypes)
	if !(l.FocalAlpha >= 0 && l.FocalAlpha <= 1) {
		bad("loss.focal_alpha", l.FocalAlpha, "must be in [0, 1]")
	}
	nonNegF("loss.focal_gamma", l.FocalGamma)
	halfOpen("loss.label_smoothing", l.LabelSmoothing)
	if l.ClassWeights != nil && len(l.ClassWeights) != m.NumClasses {
		bad("loss.class_weights", l.ClassWeights, "must be null or have model.num_classes (%d) values", m.NumClasses)
	}
	for i, w := range l.ClassWeights {
		positiveF(fmt.Sprintf("loss.class_weights[%d]", i), w)
	}

	f := c.FairnessLoss
	positiveF("fairness_loss.sinkhorn_blur", f.SinkhornBlur)
	if f.SinkhornP != 1 && f.SinkhornP != 2 {
		bad("fairness_loss.sinkhorn_p", f.SinkhornP, "must be 1 or 2")
	}
	if !(f.Scaling > 0 && f.Scaling < 1) {
		bad("fairness_loss.scaling", f.Scaling, "must be in (0, 1)")
	}
	positive("fairness_loss.min_samples_per_subgroup", f.MinSamplesPerSubgroup)
	if f.NumSubgroups < 2 || f.NumSubgroups > 8 {
		bad("fairness_loss.num_subgroups", f.NumSubgroups, "must be in [2, 8] (subgroup = race + 4*female)")
	}

	w := c.LossWeighting
	oneOf("loss_weighting.type", w.Type, WeightingTypes)
	finite("loss_weighting.init_log_var_cls", w.InitLogVarCls)
	finite("loss_weighting.init_log_var_fair", w.InitLogVarFair)
	nonNegF("loss_weighting.lambda_cls", w.LambdaCls)
	nonNegF("loss_weighting.lambda_fair", w.LambdaFair)

	nonNegF("gradient_clip_max_norm", c.GradientClip)

	lg := c.Logging
	if lg.LogDir == "" {
		bad("logging.log_dir", lg.LogDir, "must not be empty")
	}
	if lg.ExperimentName == "" || strings.ContainsAny(lg.ExperimentName, `/\`) || lg.ExperimentName == "." || lg.ExperimentName == ".." {
		bad("logging.experiment_name", lg.ExperimentName, "must be a non-empty name without path separators (it names the run folder)")
	}
	positive("logging.print_freq", lg.PrintFreq)
	positive("logging.save_freq", lg.SaveFreq)

	ev := c.Evaluation
	positive("evaluation.eval_freq", ev.EvalFreq)
	oneOf("evaluation.metric_for_best", ev.MetricForBest, MetricsForBest)
	nonNegInt("evaluation.test_every_n_epochs", ev.TestEveryNEpochs)
	oneOf("evaluation.fairness_convention", ev.FairnessConvention, FairnessConventions)
	nonNegInt("evaluation.bootstrap", ev.Bootstrap)

	oneOf("features.mode", c.Features.Mode, FeatureModes)
	positive("features.views", c.Features.Views)
	if _, err := ParseTokens(c.Features.Tokens); err != nil {
		bad("features.tokens", c.Features.Tokens, "%v", err)
	}
	// fusion_keys tokens with features.tokens cls has the one key of the original.
	oneOf("model.fusion_keys", c.Model.FusionKeys, FusionKeys)
	if c.Features.Mode == "disk" && c.Features.Dir == "" {
		bad("features.dir", c.Features.Dir, "must not be empty when features.mode is disk")
	}
	if err := checkBackend(c.Backend); err != "" {
		bad("backend", c.Backend, "%s", err)
	}
	validateStage1(c, bad)
	return joinErrs(errs)
}

// checkBackend checks the backend spec's form (package backend checks the rest
// when the backend is created): "", "cpu", "go", "go:OPTIONS" or "xla:/abs/plugin.so".
func checkBackend(spec string) string {
	switch {
	case spec == "" || spec == "cpu" || spec == "go" || strings.HasPrefix(spec, "go:"):
		return ""
	case strings.HasPrefix(spec, "xla:"):
		plugin := strings.SplitN(strings.TrimPrefix(spec, "xla:"), ",", 2)[0]
		if !filepath.IsAbs(plugin) {
			return "xla needs the absolute path of a PJRT plugin file, e.g. xla:/opt/pjrt/pjrt_c_api_cuda_plugin.so (fairclip never downloads plugins)"
		}
		return ""
	default:
		return `must be "cpu", "go" or "xla:/abs/path/plugin.so"`
	}
}

// advise returns notices for values that are valid but likely unintended.
func advise(c Config) []Notice {
	var out []Notice
	f := c.FairnessLoss
	if c.Dataset.UseSubgroupSampler && c.Dataset.SubgroupSamplerByLabel && f.NumSubgroups > 0 && c.Training.TrainBatchSize/(2*f.NumSubgroups) < f.MinSamplesPerSubgroup && c.LossWeighting.LambdaFair > 0 {
		out = append(out, Notice{Key: "training.train_batch_size", Message: fmt.Sprintf(
			"%d / (%d subgroups x 2 labels) = %d samples per subgroup and label, below fairness_loss.min_samples_per_subgroup (%d): the fairness loss will be undefined (0) in every batch",
			c.Training.TrainBatchSize, f.NumSubgroups, c.Training.TrainBatchSize/(2*f.NumSubgroups), f.MinSamplesPerSubgroup)})
	} else if c.Dataset.UseSubgroupSampler && f.NumSubgroups > 0 && c.Training.TrainBatchSize/f.NumSubgroups < f.MinSamplesPerSubgroup && c.LossWeighting.LambdaFair > 0 {
		out = append(out, Notice{Key: "training.train_batch_size", Message: fmt.Sprintf(
			"%d / %d subgroups = %d samples per subgroup, below fairness_loss.min_samples_per_subgroup (%d): the fairness loss will be undefined (0) in every batch",
			c.Training.TrainBatchSize, f.NumSubgroups, c.Training.TrainBatchSize/f.NumSubgroups, f.MinSamplesPerSubgroup)})
	}
	return out
}
