package config

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestStage1ConfigFile(t *testing.T) {
	c, notices, err := Load(filepath.Join("..", "configs", "stage1.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(notices) != 0 {
		t.Errorf("notices: %v", notices)
	}
	s := c.Stage1
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"stage", c.Stage, 1},
		{"lambda_race", s.LambdaRace, 1.0}, {"lambda_gender", s.LambdaGender, 0.5},
		{"lambda_similarity", s.LambdaSimilarity, 2.0}, {"lambda_fairness", s.LambdaFairness, 0.5},
		{"lambda_pairwise", s.LambdaPairwise, 0.3},
		{"grl", s.GRL, GRL{Schedule: "dann", InitialLambda: 0, MaxLambda: 1, Gamma: 10}},
		{"selection", s.BestModelSelection, BestModelSelection{WCosine: 1, WRaceAcc: -0.3, WGenderAcc: -0.2}},
		{"lr", c.Optimizer.LR, 1e-3}, {"wd", c.Optimizer.WeightDecay, 1e-4},
		{"scheduler", c.Scheduler.Name, "CosineAnnealingLR"}, {"eta_min", c.Scheduler.EtaMin, 1e-5},
		{"epochs", c.Training.NumEpochs, 20}, {"batch", c.Training.TrainBatchSize, 64},
		{"mean", c.Mean, []float64{0.48145466, 0.4578275, 0.40821073}},
		{"std", c.Std, []float64{0.26862954, 0.26130258, 0.27577711}},
		{"hidden", c.Model.Stage1HiddenDim, 512}, {"dropout", c.Model.Dropout, 0.1},
		{"val", c.Dataset.ValidationDataset, []string{"ff++"}},
		{"datasets", len(s.AttributeDatasets), 2},
		{"fairface layout", s.AttributeDatasets[0].Layout, "fairface"},
		{"utk root", s.AttributeDatasets[1].Root, "data/UTKFace"},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	// The resolved form round-trips, list of sections included.
	out, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := LoadBytes("resolved.yaml", out, nil)
	if err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, c) || Hash(back) != Hash(c) {
		t.Errorf("round trip differs:\n%+v\n%+v", back.Stage1, c.Stage1)
	}
}

func TestStage1Defaults(t *testing.T) {
	c, _, err := LoadBytes("empty.yaml", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != 2 || !reflect.DeepEqual(c.Stage1, DefaultStage1()) {
		t.Errorf("defaults: stage %d, stage1 %+v", c.Stage, c.Stage1)
	}
	// Stage 1 does not need a Stage 1 checkpoint; Stage 2 does.
	if _, _, err := LoadBytes("s1.yaml", []byte("stage: 1\nstage1_checkpoint: \"\"\n"), nil); err != nil {
		t.Errorf("stage 1 without stage1_checkpoint: %v", err)
	}
	if _, _, err := LoadBytes("s2.yaml", []byte("stage: 2\nstage1_checkpoint: \"\"\n"), nil); err == nil {
		t.Error("stage 2 without stage1_checkpoint accepted")
	}
}

func TestStage1Sets(t *testing.T) {
	c, _, err := LoadBytes("s.yaml", []byte("stage: 1\n"), []string{
		"stage1.grl.schedule=linear",
		"stage1.attribute_datasets=[{name: synth, layout: generic, csv: a/attributes.csv}]",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []AttributeDataset{{Name: "synth", Layout: "generic", CSV: "a/attributes.csv"}}
	if c.Stage1.GRL.Schedule != "linear" || !reflect.DeepEqual(c.Stage1.AttributeDatasets, want) {
		t.Errorf("sets: %+v", c.Stage1)
	}
	d := clone(c)
	d.Stage1.AttributeDatasets[0].Root = "elsewhere"
	if Hash(d) == Hash(c) {
		t.Error("a list-of-sections value does not enter the hash")
	}
	if rows := Diff([]Config{c, d}, nil); len(rows) != 1 || rows[0].Key != "stage1.attribute_datasets" {
		t.Errorf("diff: %+v", rows)
	}
}

func TestStage1Errors(t *testing.T) {
	for _, tc := range []struct {
		src, key string
		unknown  bool
	}{
		{"stage: 3\n", "stage", false},
		{"stage1:\n  lambda_race: -1.0\n", "stage1.lambda_race", false},
		{"stage1:\n  grl:\n    schedule: cosine\n", "stage1.grl.schedule", false},
		{"stage1:\n  grl:\n    gamma: 0.0\n", "stage1.grl.gamma", false},
		{"stage1:\n  grl:\n    initial_lambda: 0.5\n    max_lambda: 0.2\n", "stage1.grl.max_lambda", false},
		{"stage1:\n  best_model_selection:\n    w_cosine: .nan\n", "stage1.best_model_selection.w_cosine", false},
		{"stage1:\n  export_name: a/b.safetensors\n", "stage1.export_name", false},
		{"stage1:\n  attribute_datasets:\n    - {name: x, layout: celeba, csv: a.csv}\n", "stage1.attribute_datasets[0].layout", false},
		{"stage1:\n  attribute_datasets:\n    - {name: x, layout: utkface}\n", "stage1.attribute_datasets[0].root", false},
		{"stage1:\n  attribute_datasets:\n    - {name: x, layout: generic}\n", "stage1.attribute_datasets[0].csv", false},
		{"stage1:\n  attribute_datasets:\n    - {name: x, layout: generic, csv: a}\n    - {name: x, layout: generic, csv: b}\n", "stage1.attribute_datasets[1].name", false},
		{"stage: 1\nstage1:\n  attribute_datasets: []\n", "stage1.attribute_datasets", false},
		{"stage1:\n  attribute_datasets:\n    - {name: x, layot: generic, csv: a}\n", "stage1.attribute_datasets[0].layot", true},
		{"stage1:\n  lambda_sim: 1.0\n", "stage1.lambda_sim", true},
	} {
		_, _, err := LoadBytes("x.yaml", []byte(tc.src), nil)
		if err == nil {
			t.Errorf("%q: accepted", tc.src)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %v is not ErrInvalid", tc.src, err)
		}
		var re *RangeError
		var ue *UnknownKeyError
		switch {
		case tc.unknown && errors.As(err, &ue):
			if ue.Key != tc.key {
				t.Errorf("%q: unknown key %s, want %s", tc.src, ue.Key, tc.key)
			}
		case !tc.unknown && errors.As(err, &re):
			if re.Key != tc.key {
				t.Errorf("%q: error on %s, want %s (%v)", tc.src, re.Key, tc.key, err)
			}
			if !strings.Contains(err.Error(), tc.key) {
				t.Errorf("%q: message %q does not name %s", tc.src, err, tc.key)
			}
		default:
			t.Errorf("%q: unexpected error type %T: %v", tc.src, err, err)
		}
	}
}
