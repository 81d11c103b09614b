// Package config defines fairclip's experiment configuration: the original Stage 2
// YAML schema plus fairclip's additions, with defaults, strict loading and validation.
package config

// Config is one resolved experiment configuration. Field names follow the original
// Stage 2 YAML keys (REFERENCE.md section 8); fairclip's additions are marked.
type Config struct {
	// Base names a config this one inherits from, relative to this file. Resolved at load.
	Base string `yaml:"base,omitempty"`

	Model            Model         `yaml:"model"`
	Stage1Checkpoint string        `yaml:"stage1_checkpoint"`
	Dataset          Dataset       `yaml:"dataset"`
	Mean             []float64     `yaml:"mean"`
	Std              []float64     `yaml:"std"`
	Training         Training      `yaml:"training"`
	Optimizer        Optimizer     `yaml:"optimizer"`
	Scheduler        Scheduler     `yaml:"scheduler"`
	Loss             Loss          `yaml:"loss"`
	FairnessLoss     FairnessLoss  `yaml:"fairness_loss"`
	LossWeighting    LossWeighting `yaml:"loss_weighting"`
	GradientClip     float64       `yaml:"gradient_clip_max_norm"`
	Logging          Logging       `yaml:"logging"`
	Evaluation       Evaluation    `yaml:"evaluation"`
	Device           string        `yaml:"device"` // accepted for compatibility; `backend` chooses the engine
	Seed             int64         `yaml:"seed"`
	Deterministic    bool          `yaml:"deterministic"`
	ClipDownloadRoot string        `yaml:"clip_download_root"` // accepted for compatibility; fairclip never downloads (see clip_weights)

	// fairclip additions.
	ClipWeights string   `yaml:"clip_weights"` // path to CLIP weights (safetensors / .pt); empty: none
	Features    Features `yaml:"features"`
	Backend     string   `yaml:"backend"` // "cpu" (default), "go" or "xla:/abs/path/plugin.so"

	// Stage selects what `fairclip train` trains: 2 (default) the detector head,
	// 1 the fairness adapter A1 (fairclip addition; see stage1.go).
	Stage  int    `yaml:"stage"`
	Stage1 Stage1 `yaml:"stage1"`
}

// Model is the `model:` section.
type Model struct {
	ClipName        string `yaml:"clip_name"`
	FeatureDim      int    `yaml:"feature_dim"`
	Stage1HiddenDim int    `yaml:"stage1_hidden_dim"`
	Stage2HiddenDim int    `yaml:"stage2_hidden_dim"`
	FusionNumHeads  int    `yaml:"fusion_num_heads"`
	// FusionKeys is what the cross-attention attends over (fairclip addition): "cls"
	// (the original: s1 of the class token alone, so the heads are inert) or "tokens"
	// (s1 of the class token and of the features.tokens pooled patch tokens).
	FusionKeys           string  `yaml:"fusion_keys"`
	ClassifierHiddenDims []int   `yaml:"classifier_hidden_dims"`
	NumClasses           int     `yaml:"num_classes"`
	Dropout              float64 `yaml:"dropout"`
	NormalizeFeatures    bool    `yaml:"normalize_features"`
	// GateInitBias is the initial bias of the gate's last Linear (fairclip addition).
	// nil in a file means absent: the resolved value is 0.0 with a notice.
	GateInitBias *float64 `yaml:"gate_init_bias"`
	// RandomStage1 asks for a seeded random Stage 1 adapter when no checkpoint is given
	// (fairclip addition; for the synthetic quickstart and tests).
	RandomStage1 bool `yaml:"random_stage1"`
}

// Dataset is the `dataset:` section.
type Dataset struct {
	FairnessRoot        string   `yaml:"fairness_root"`
	TrainDataset        []string `yaml:"train_dataset"`
	ValidationDataset   []string `yaml:"validation_dataset"`
	TestDataset         []string `yaml:"test_dataset"`
	Resolution          int      `yaml:"resolution"`
	UseDataAugmentation bool     `yaml:"use_data_augmentation"`
	UseBalanceSampling  bool     `yaml:"use_balance_sampling"`
	UseSubgroupBalance  bool     `yaml:"use_subgroup_balance"`
	UseSubgroupSampler  bool     `yaml:"use_subgroup_sampler"`
	// SubgroupSamplerByLabel balances the subgroup sampler's batches over
	// (subgroup, label) cells instead of subgroups (fairclip addition; default false,
	// the reference's sampler): every batch then holds real and fake samples of every
	// subgroup, so that both classes' fairness terms are defined.
	SubgroupSamplerByLabel bool `yaml:"subgroup_sampler_by_label"`
	SkipUnknownAttributes  bool `yaml:"skip_unknown_attributes"`
	// OnBadImage is "fail" (default) or "skip" (fairclip addition).
	OnBadImage string `yaml:"on_bad_image"`
}

// Training is the `training:` section.
type Training struct {
	NumEpochs      int `yaml:"num_epochs"`
	TrainBatchSize int `yaml:"train_batch_size"`
	ValBatchSize   int `yaml:"val_batch_size"`
	NumWorkers     int `yaml:"num_workers"`
}

// Optimizer is the `optimizer:` section.
type Optimizer struct {
	Type        string    `yaml:"type"`
	LR          float64   `yaml:"lr"`
	WeightDecay float64   `yaml:"weight_decay"`
	Betas       []float64 `yaml:"betas"`
	Eps         float64   `yaml:"eps"`
}

// Scheduler is the `scheduler:` section.
type Scheduler struct {
	UseScheduler bool    `yaml:"use_scheduler"`
	Name         string  `yaml:"name"`
	T0           int     `yaml:"T_0"`
	TMult        int     `yaml:"T_mult"`
	EtaMin       float64 `yaml:"eta_min"`
	WarmupEpochs int     `yaml:"warmup_epochs"`
}

// Loss is the `loss:` section.
type Loss struct {
	Type           string    `yaml:"type"`
	FocalAlpha     float64   `yaml:"focal_alpha"`
	FocalGamma     float64   `yaml:"focal_gamma"`
	LabelSmoothing float64   `yaml:"label_smoothing"`
	ClassWeights   []float64 `yaml:"class_weights"`
}

// FairnessLoss is the `fairness_loss:` section.
type FairnessLoss struct {
	SinkhornBlur          float64 `yaml:"sinkhorn_blur"`
	SinkhornP             int     `yaml:"sinkhorn_p"`
	Scaling               float64 `yaml:"scaling"`
	MinSamplesPerSubgroup int     `yaml:"min_samples_per_subgroup"`
	NumSubgroups          int     `yaml:"num_subgroups"`
}

// LossWeighting is the `loss_weighting:` section.
type LossWeighting struct {
	Type           string  `yaml:"type"`
	InitLogVarCls  float64 `yaml:"init_log_var_cls"`
	InitLogVarFair float64 `yaml:"init_log_var_fair"`
	LambdaCls      float64 `yaml:"lambda_cls"`
	LambdaFair     float64 `yaml:"lambda_fair"`
}

// Logging is the `logging:` section.
type Logging struct {
	LogDir         string `yaml:"log_dir"`
	ExperimentName string `yaml:"experiment_name"`
	PrintFreq      int    `yaml:"print_freq"`
	SaveFreq       int    `yaml:"save_freq"`
}

// Evaluation is the `evaluation:` section.
type Evaluation struct {
	EvalFreq         int      `yaml:"eval_freq"`
	SaveBestOnly     bool     `yaml:"save_best_only"`
	MetricForBest    string   `yaml:"metric_for_best"`
	TestEveryNEpochs int      `yaml:"test_every_n_epochs"`
	TestDatasets     []string `yaml:"test_datasets"`
	// FairnessConvention is "fairclip" (default), "pgfdd" or "deepfakebench" (fairclip addition).
	FairnessConvention string `yaml:"fairness_convention"`
	// Bootstrap is the number of bootstrap resamples for confidence intervals; 0 disables (fairclip addition).
	Bootstrap int `yaml:"bootstrap"`
}

// Features is the `features:` section (fairclip addition): the frozen-feature store.
type Features struct {
	Mode  string `yaml:"mode"`  // "disk" (default when a store exists) or "none"
	Dir   string `yaml:"dir"`   // store root (default "feature_store"), relative to the working directory
	Views int    `yaml:"views"` // augmented views per training sample (K); view 0 is unaugmented
	// Tokens is what the store keeps besides the pooled embedding: "cls" (nothing more)
	// or "patches:K" (K a square: the last layer's patch tokens pooled to a
	// sqrt(K) x sqrt(K) grid, after ln_post and the projection).
	Tokens string `yaml:"tokens"`
}

// Default returns the original's Exp1 configuration
// (train_stage2_independent_adapter.yaml) with fairclip's defaults for its additions.
// Machine-specific paths of the original are replaced by relative ones:
// stage1_checkpoint "checkpoints/stage1/checkpoint_best.pth", dataset.fairness_root
// "data/fairness", logging.log_dir "logs", clip_download_root "" (unused).
func Default() Config {
	zero := 0.0
	return Config{
		Stage1Checkpoint: "checkpoints/stage1/checkpoint_best.pth",
		Model: Model{
			ClipName: "ViT-L/14", FeatureDim: 768, Stage1HiddenDim: 512, Stage2HiddenDim: 384,
			FusionNumHeads: 8, FusionKeys: "cls", ClassifierHiddenDims: []int{384, 192}, NumClasses: 2,
			Dropout: 0.1, NormalizeFeatures: true, GateInitBias: &zero,
		},
		Dataset: Dataset{
			FairnessRoot: "data/fairness",
			TrainDataset: []string{"ff++"}, ValidationDataset: []string{"ff++"},
			TestDataset: []string{"celebdf", "dfd", "dfdc"}, Resolution: 256,
			UseDataAugmentation: true, UseSubgroupSampler: true, OnBadImage: "fail",
		},
		Mean:      []float64{0.485, 0.456, 0.406},
		Std:       []float64{0.229, 0.224, 0.225},
		Training:  Training{NumEpochs: 30, TrainBatchSize: 256, ValBatchSize: 64, NumWorkers: 4},
		Optimizer: Optimizer{Type: "adamw", LR: 3e-4, WeightDecay: 0.01, Betas: []float64{0.9, 0.999}, Eps: 1e-8},
		Scheduler: Scheduler{UseScheduler: true, Name: "WarmupCosine", T0: 5, TMult: 2, EtaMin: 1e-6, WarmupEpochs: 3},
		Loss:      Loss{Type: "cross_entropy", FocalAlpha: 0.25, FocalGamma: 2.0},
		FairnessLoss: FairnessLoss{
			SinkhornBlur: 1e-4, SinkhornP: 2, Scaling: 0.9, MinSamplesPerSubgroup: 2, NumSubgroups: 8,
		},
		LossWeighting: LossWeighting{Type: "fixed", LambdaCls: 1.0, LambdaFair: 0.05},
		GradientClip:  1.0,
		Logging:       Logging{LogDir: "logs", ExperimentName: "exp1_baseline", PrintFreq: 50, SaveFreq: 1},
		Evaluation: Evaluation{
			EvalFreq: 1, SaveBestOnly: true, MetricForBest: "auc", TestEveryNEpochs: 5,
			TestDatasets: []string{"celebdf", "dfd", "dfdc"}, FairnessConvention: "fairclip",
		},
		Device:        "cuda",
		Seed:          42,
		Deterministic: true,
		Features:      Features{Mode: "disk", Dir: "feature_store", Views: 1, Tokens: "cls"},
		Backend:       "cpu",
		Stage:         2,
		Stage1:        DefaultStage1(),
	}
}
