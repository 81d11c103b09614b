package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// referenceKeys is the original Stage 2 key tree, REFERENCE.md section 8, in order.
var referenceKeys = []string{
	"model.clip_name", "model.feature_dim", "model.stage1_hidden_dim", "model.stage2_hidden_dim",
	"model.fusion_num_heads", "model.classifier_hidden_dims", "model.num_classes", "model.dropout",
	"model.normalize_features",
	"stage1_checkpoint",
	"dataset.fairness_root", "dataset.train_dataset", "dataset.validation_dataset", "dataset.test_dataset",
	"dataset.resolution", "dataset.use_data_augmentation", "dataset.use_balance_sampling",
	"dataset.use_subgroup_balance", "dataset.use_subgroup_sampler", "dataset.skip_unknown_attributes",
	"mean", "std",
	"training.num_epochs", "training.train_batch_size", "training.val_batch_size", "training.num_workers",
	"optimizer.type", "optimizer.lr", "optimizer.weight_decay", "optimizer.betas", "optimizer.eps",
	"scheduler.use_scheduler", "scheduler.name", "scheduler.T_0", "scheduler.T_mult", "scheduler.eta_min",
	"scheduler.warmup_epochs",
	"loss.type", "loss.focal_alpha", "loss.focal_gamma", "loss.label_smoothing", "loss.class_weights",
	"fairness_loss.sinkhorn_blur", "fairness_loss.sinkhorn_p", "fairness_loss.scaling",
	"fairness_loss.min_samples_per_subgroup", "fairness_loss.num_subgroups",
	"loss_weighting.type", "loss_weighting.init_log_var_cls", "loss_weighting.init_log_var_fair",
	"loss_weighting.lambda_cls", "loss_weighting.lambda_fair",
	"gradient_clip_max_norm",
	"logging.log_dir", "logging.experiment_name", "logging.print_freq", "logging.save_freq",
	"evaluation.eval_freq", "evaluation.save_best_only", "evaluation.metric_for_best",
	"evaluation.test_every_n_epochs", "evaluation.test_datasets",
	"device", "seed", "deterministic", "clip_download_root",
}

// leafKeys lists the dotted leaf keys of a parsed file in file order.
func leafKeys(n *node, prefix string) []string {
	var out []string
	for _, k := range n.keys {
		c := n.fields[k]
		if c.kind == kindMap {
			out = append(out, leafKeys(c, join(prefix, k))...)
			continue
		}
		out = append(out, join(prefix, k))
	}
	return out
}

// table21 holds the tuning report's table 2.1 (section 2.1) for one experiment.
type table21 struct {
	lr, weightDecay, dropout, labelSmoothing, lambdaFair, blur, gate float64
	warmup, epochs                                                   int
}

var report = map[string]table21{
	"exp1": {lr: 0.0003, weightDecay: 0.01, warmup: 3, epochs: 30, dropout: 0.1, labelSmoothing: 0.0, lambdaFair: 0.05, blur: 1e-4, gate: 1.0},
	"exp2": {lr: 0.0002, weightDecay: 0.05, warmup: 2, epochs: 25, dropout: 0.2, labelSmoothing: 0.1, lambdaFair: 0.5, blur: 1e-3, gate: 1.0},
	"exp3": {lr: 0.0003, weightDecay: 0.01, warmup: 3, epochs: 30, dropout: 0.15, labelSmoothing: 0.1, lambdaFair: 0.15, blur: 1e-4, gate: 0.0},
}

func checkTable21(t *testing.T, name string, c Config, want table21, checkGate bool) {
	t.Helper()
	got := table21{
		lr: c.Optimizer.LR, weightDecay: c.Optimizer.WeightDecay, warmup: c.Scheduler.WarmupEpochs,
		epochs: c.Training.NumEpochs, dropout: c.Model.Dropout, labelSmoothing: c.Loss.LabelSmoothing,
		lambdaFair: c.LossWeighting.LambdaFair, blur: c.FairnessLoss.SinkhornBlur, gate: want.gate,
	}
	if checkGate {
		got.gate = *c.Model.GateInitBias
	}
	if got != want {
		t.Errorf("%s: table 2.1 values\n got %+v\nwant %+v", name, got, want)
	}
}

func TestOriginalFilesLoad(t *testing.T) {
	for _, tc := range []struct{ file, exp string }{
		{"train_stage2_independent_adapter.yaml", "exp1"},
		{"train_stage2_exp2.yaml", "exp2"},
		{"train_stage2_exp3.yaml", "exp3"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", "original", tc.file)
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tree, err := parseYAML(path, src)
			if err != nil {
				t.Fatal(err)
			}
			if got := leafKeys(tree, ""); !slices.Equal(got, referenceKeys) {
				t.Fatalf("fixture key tree differs from REFERENCE.md section 8:\n got %v\nwant %v", got, referenceKeys)
			}
			if !strings.Contains(string(src), "1.0e-4") && !strings.Contains(string(src), "1.0e-3") {
				t.Error("fixture should use the original's 1.0e-N notation")
			}
			c, notices, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkTable21(t, tc.file, c, report[tc.exp], false)
			if *c.Model.GateInitBias != 0 {
				t.Errorf("gate_init_bias = %v, want 0 when absent", *c.Model.GateInitBias)
			}
			if len(notices) != 1 || notices[0].Key != "model.gate_init_bias" || !strings.Contains(notices[0].Message, "1.0") {
				t.Errorf("want one gate_init_bias notice mentioning 1.0, got %v", notices)
			}
			if c.Stage1Checkpoint != "/workspace/code/CLIP_stage1/logs/stage1_2026-01-20-12-31-57/checkpoint_best.pth" ||
				c.ClipDownloadRoot != "/data/cuixinjie/weights" || c.Loss.ClassWeights != nil || c.Optimizer.Eps != 1e-8 {
				t.Errorf("values not read as written: %+v", c)
			}
		})
	}
}

func TestRepoConfigs(t *testing.T) {
	files, _ := filepath.Glob("../configs/exp*.yaml") // Stage 2 experiments; stage1.yaml: stage1_test.go
	more, _ := filepath.Glob("../configs/followups/*.yaml")
	files = append(files, more...)
	if len(files) != 9 {
		t.Fatalf("want 3 experiment + 6 follow-up configs, found %v", files)
	}
	loaded := map[string]Config{}
	for _, f := range files {
		c, notices, err := Load(f, nil)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(notices) != 0 {
			t.Errorf("%s: unexpected notices %v", f, notices)
		}
		stem := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if c.Logging.ExperimentName != stem {
			t.Errorf("%s: experiment_name %q, want the file stem", f, c.Logging.ExperimentName)
		}
		loaded[stem] = c
	}
	checkTable21(t, "exp1", loaded["exp1_baseline"], report["exp1"], true)
	checkTable21(t, "exp2", loaded["exp2_fairness_boost"], report["exp2"], true)
	checkTable21(t, "exp3", loaded["exp3_balanced_recovery"], report["exp3"], true)

	exp3 := loaded["exp3_balanced_recovery"]
	for stem, want := range map[string]func(c *Config){
		"exp3_lambda_fair_020": func(c *Config) { c.LossWeighting.LambdaFair = 0.20 },
		"exp3_lambda_fair_025": func(c *Config) { c.LossWeighting.LambdaFair = 0.25 },
		"exp3_lambda_fair_030": func(c *Config) { c.LossWeighting.LambdaFair = 0.30 },
		"exp3_blur_3e-4":       func(c *Config) { c.FairnessLoss.SinkhornBlur = 3e-4 },
		"exp3_blur_5e-4":       func(c *Config) { c.FairnessLoss.SinkhornBlur = 5e-4 },
		"exp3_warm_restarts_t10": func(c *Config) {
			c.Scheduler.Name, c.Scheduler.T0, c.Scheduler.TMult = "CosineAnnealingWarmRestarts", 10, 2
		},
	} {
		w := clone(exp3)
		want(&w)
		w.Logging.ExperimentName = stem
		if !reflect.DeepEqual(loaded[stem], w) {
			t.Errorf("%s: not exp3 with its one change:\n got %+v\nwant %+v", stem, loaded[stem], w)
		}
	}
}

// The repository's experiment configs are the originals with fairclip's paths and
// additions: loading an original with those overrides gives the same hash.
func TestRepoConfigsMatchOriginals(t *testing.T) {
	local := []string{
		"stage1_checkpoint=checkpoints/stage1/checkpoint_best.pth",
		"dataset.fairness_root=data/fairness",
		"logging.log_dir=logs",
		"clip_download_root=",
	}
	for _, tc := range []struct {
		original, repo string
		gate           string
	}{
		{"train_stage2_independent_adapter.yaml", "exp1_baseline.yaml", "1.0"},
		{"train_stage2_exp2.yaml", "exp2_fairness_boost.yaml", "1.0"},
		{"train_stage2_exp3.yaml", "exp3_balanced_recovery.yaml", "0.0"},
	} {
		sets := append(slices.Clone(local), "model.gate_init_bias="+tc.gate,
			"logging.experiment_name="+strings.TrimSuffix(tc.repo, ".yaml"))
		orig, _, err := Load(filepath.Join("testdata", "original", tc.original), sets)
		if err != nil {
			t.Fatal(err)
		}
		repo, _, err := Load(filepath.Join("..", "configs", tc.repo), nil)
		if err != nil {
			t.Fatal(err)
		}
		if Hash(orig) != Hash(repo) || !reflect.DeepEqual(orig, repo) {
			t.Errorf("%s differs from the original %s:\n%+v\n%+v", tc.repo, tc.original, repo, orig)
		}
	}
}

func TestGateInitBiasNotice(t *testing.T) {
	for _, tc := range []struct {
		src        string
		want       float64
		wantNotice bool
	}{
		{"seed: 1\n", 0, true},
		{"model:\n  gate_init_bias: null\n", 0, true},
		{"model:\n  gate_init_bias: 1.0\n", 1, false},
		{"model:\n  gate_init_bias: 0\n", 0, false},
	} {
		c, notices, err := LoadBytes("x.yaml", []byte(tc.src), nil)
		if err != nil {
			t.Fatalf("%q: %v", tc.src, err)
		}
		if *c.Model.GateInitBias != tc.want {
			t.Errorf("%q: gate_init_bias %v, want %v", tc.src, *c.Model.GateInitBias, tc.want)
		}
		has := slices.ContainsFunc(notices, func(n Notice) bool { return n.Key == "model.gate_init_bias" })
		if has != tc.wantNotice {
			t.Errorf("%q: notice %v, want %v (%v)", tc.src, has, tc.wantNotice, notices)
		}
	}
}

func TestDefaultsAreExp1(t *testing.T) {
	c, _, err := LoadBytes("empty.yaml", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkTable21(t, "defaults", c, table21{lr: 0.0003, weightDecay: 0.01, warmup: 3, epochs: 30, dropout: 0.1, lambdaFair: 0.05, blur: 1e-4, gate: 0.0}, true)
	if err := Validate(Default()); err != nil {
		t.Errorf("Default() does not validate: %v", err)
	}
	// A section whose keys are all commented out is empty, not an error.
	c, _, err = LoadBytes("s.yaml", []byte("loss:\n  # type: focal  (주석 처리됨)\n"), nil)
	if err != nil || c.Loss.Type != "cross_entropy" {
		t.Errorf("empty section: %v %v", c.Loss.Type, err)
	}
}
