package config

import (
	"fmt"
	"slices"
	"strings"
)

// Stage 1 (fairclip addition, REFERENCE.md section 7): `stage: 1` trains the
// fairness adapter A1 that Stage 2 freezes; the `stage1:` section holds the
// knobs of the original's CLIP_stage1/config/train_stage1.yaml (v2, GRL) that
// have no Stage 2 counterpart. Shared knobs keep their Stage 2 keys: model.*
// (feature_dim, stage1_hidden_dim, dropout, normalize_features), optimizer.*,
// scheduler.*, training.*, fairness_loss.* (Sinkhorn blur, p, scaling,
// min_samples_per_subgroup, num_subgroups), loss.label_smoothing,
// dataset.validation_dataset (ff++ in the original), mean and std.

// Stage1 is the `stage1:` section.
type Stage1 struct {
	LambdaRace       float64 `yaml:"lambda_race"`
	LambdaGender     float64 `yaml:"lambda_gender"`
	LambdaSimilarity float64 `yaml:"lambda_similarity"`
	LambdaFairness   float64 `yaml:"lambda_fairness"`
	LambdaPairwise   float64 `yaml:"lambda_pairwise"`
	// GRL is the gradient-reversal strength schedule (the original's `grl:`).
	GRL GRL `yaml:"grl"`
	// BestModelSelection weighs the validation score
	// w_cosine*cos + w_race_acc*race_acc + w_gender_acc*gender_acc (higher is better).
	BestModelSelection BestModelSelection `yaml:"best_model_selection"`
	// AttributeDatasets are the face-attribute training sets.
	AttributeDatasets []AttributeDataset `yaml:"attribute_datasets"`
	// ProbeEvery trains the race/gender logistic-regression probes every this many
	// epochs (and at the last); 0 disables them.
	ProbeEvery int `yaml:"probe_every"`
	// ExportName is the file, in the run folder, that receives the best A1 under the
	// original's PyTorch names (additive_adapter.adapter.{0,3,6}.{weight,bias}).
	ExportName string `yaml:"export_name"`
}

// GRL is the `stage1.grl:` section: lambda_p = initial + (max-initial)*s(p) for
// p = epoch/num_epochs, s = 2/(1+exp(-gamma*p))-1 (dann), p (linear), or 0 before
// p = 0.5 and 1 from it (step), clamped to [initial, max].
type GRL struct {
	Schedule      string  `yaml:"schedule"`
	InitialLambda float64 `yaml:"initial_lambda"`
	MaxLambda     float64 `yaml:"max_lambda"`
	Gamma         float64 `yaml:"gamma"`
}

// BestModelSelection is the `stage1.best_model_selection:` section.
type BestModelSelection struct {
	WCosine    float64 `yaml:"w_cosine"`
	WRaceAcc   float64 `yaml:"w_race_acc"`
	WGenderAcc float64 `yaml:"w_gender_acc"`
}

// AttributeDataset is one face-attribute dataset: Name is its name in the feature
// store (and in logs), Layout how its attributes are written:
//   - fairface: CSV with columns file,age,gender,race; images under Root (default:
//     the CSV's folder);
//   - utkface: images named age_gender_race_date.jpg anywhere under Root (CSV unused);
//   - generic: CSV with columns img_path,ismale,isasian,iswhite,isblack (PG-FDD
//     +1/-1 flags); images under Root (default: the CSV's folder).
type AttributeDataset struct {
	Name   string `yaml:"name"`
	Layout string `yaml:"layout"`
	CSV    string `yaml:"csv"`
	Root   string `yaml:"root"`
}

// Allowed Stage 1 enumerations.
var (
	Stages           = []int{1, 2}
	GRLSchedules     = []string{"dann", "linear", "step"}
	AttributeLayouts = []string{"fairface", "utkface", "generic"}
)

// DefaultStage1 is the original's v2 Stage 1 loss, GRL and selection settings, with
// FairFace and UTKFace under data/ as attribute datasets.
func DefaultStage1() Stage1 {
	return Stage1{
		LambdaRace: 1.0, LambdaGender: 0.5, LambdaSimilarity: 2.0, LambdaFairness: 0.5, LambdaPairwise: 0.3,
		GRL:                GRL{Schedule: "dann", InitialLambda: 0, MaxLambda: 1, Gamma: 10},
		BestModelSelection: BestModelSelection{WCosine: 1.0, WRaceAcc: -0.3, WGenderAcc: -0.2},
		AttributeDatasets: []AttributeDataset{
			{Name: "fairface", Layout: "fairface", CSV: "data/fairface/fairface_label_train.csv", Root: "data/fairface"},
			{Name: "utkface", Layout: "utkface", Root: "data/UTKFace"},
		},
		ProbeEvery: 1,
		ExportName: "stage1_adapter.safetensors",
	}
}

// validateStage1 checks `stage` and, for Stage 1 runs, the `stage1:` section.
func validateStage1(c Config, bad func(key string, value any, format string, args ...any)) {
	if !slices.Contains(Stages, c.Stage) {
		bad("stage", c.Stage, "must be 1 (train the fairness adapter A1) or 2 (train the detector head)")
		return
	}
	s := c.Stage1
	for _, w := range []struct {
		key string
		v   float64
	}{
		{"stage1.lambda_race", s.LambdaRace}, {"stage1.lambda_gender", s.LambdaGender},
		{"stage1.lambda_similarity", s.LambdaSimilarity}, {"stage1.lambda_fairness", s.LambdaFairness},
		{"stage1.lambda_pairwise", s.LambdaPairwise},
	} {
		if !isFinite(w.v) || w.v < 0 {
			bad(w.key, w.v, "must be a finite number >= 0")
		}
	}
	if !slices.Contains(GRLSchedules, s.GRL.Schedule) {
		bad("stage1.grl.schedule", s.GRL.Schedule, "must be one of %s", strings.Join(GRLSchedules, ", "))
	}
	if !isFinite(s.GRL.InitialLambda) || s.GRL.InitialLambda < 0 {
		bad("stage1.grl.initial_lambda", s.GRL.InitialLambda, "must be a finite number >= 0")
	}
	if !isFinite(s.GRL.MaxLambda) || s.GRL.MaxLambda < s.GRL.InitialLambda {
		bad("stage1.grl.max_lambda", s.GRL.MaxLambda, "must be finite and at least stage1.grl.initial_lambda (%s)", show(s.GRL.InitialLambda))
	}
	if !isFinite(s.GRL.Gamma) || s.GRL.Gamma <= 0 {
		bad("stage1.grl.gamma", s.GRL.Gamma, "must be a finite number > 0")
	}
	for _, w := range []struct {
		key string
		v   float64
	}{
		{"stage1.best_model_selection.w_cosine", s.BestModelSelection.WCosine},
		{"stage1.best_model_selection.w_race_acc", s.BestModelSelection.WRaceAcc},
		{"stage1.best_model_selection.w_gender_acc", s.BestModelSelection.WGenderAcc},
	} {
		if !isFinite(w.v) {
			bad(w.key, w.v, "must be finite")
		}
	}
	if s.ProbeEvery < 0 {
		bad("stage1.probe_every", s.ProbeEvery, "must be 0 or more")
	}
	if s.ExportName == "" || strings.ContainsAny(s.ExportName, `/\`) || !strings.HasSuffix(s.ExportName, ".safetensors") {
		bad("stage1.export_name", s.ExportName, "must be a file name (no folders) ending in .safetensors")
	}
	names := map[string]bool{}
	for i, ds := range s.AttributeDatasets {
		key := fmt.Sprintf("stage1.attribute_datasets[%d]", i)
		if ds.Name == "" || strings.ContainsAny(ds.Name, `/\`) {
			bad(key+".name", ds.Name, "must be a non-empty name without path separators")
		} else if names[ds.Name] {
			bad(key+".name", ds.Name, "is used twice")
		}
		names[ds.Name] = true
		if !slices.Contains(AttributeLayouts, ds.Layout) {
			bad(key+".layout", ds.Layout, "must be one of %s", strings.Join(AttributeLayouts, ", "))
			continue
		}
		switch {
		case ds.Layout == "utkface" && ds.Root == "":
			bad(key+".root", ds.Root, "must name the UTKFace image folder")
		case ds.Layout != "utkface" && ds.CSV == "":
			bad(key+".csv", ds.CSV, "must name the %s attribute CSV", ds.Layout)
		}
	}
	if c.Stage == 1 && len(s.AttributeDatasets) == 0 {
		bad("stage1.attribute_datasets", s.AttributeDatasets, "must list at least one face-attribute dataset for a Stage 1 run")
	}
}
