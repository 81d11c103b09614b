package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnknownKey(t *testing.T) {
	for _, tc := range []struct {
		name, src, key, suggestion string
		line, col                  int
	}{
		{"typo in section", "model:\n  dropot: 0.1\n", "model.dropot", "model.dropout", 2, 3},
		{"typo at top level", "seed: 1\nsede: 2\n", "sede", "seed", 2, 1},
		{"misspelt section", "optimzer:\n  lr: 0.1\n", "optimzer", "optimizer", 1, 1},
		{"key in wrong section", "training:\n  lr: 0.001\n", "training.lr", "optimizer.lr", 2, 3},
		{"leaf at top level", "\n\nsinkhorn_blur: 1.0e-4\n", "sinkhorn_blur", "fairness_loss.sinkhorn_blur", 3, 1},
		{"wrong case", "scheduler:\n  t_0: 5\n", "scheduler.t_0", "scheduler.T_0", 2, 3},
		{"flow mapping", "loss: {type: focal, smoothing: 0.1}\n", "loss.smoothing", "loss.label_smoothing", 1, 21},
		{"fairclip addition typo", "features:\n  veiws: 2\n", "features.veiws", "features.views", 2, 3},
		{"nothing close", "model:\n  zzzzzzzzzzzzzz: 1\n", "model.zzzzzzzzzzzzzz", "", 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := LoadBytes("exp.yaml", []byte(tc.src), nil)
			var ue *UnknownKeyError
			if !errors.As(err, &ue) {
				t.Fatalf("want UnknownKeyError, got %v", err)
			}
			if ue.File != "exp.yaml" || ue.Line != tc.line || ue.Column != tc.col || ue.Key != tc.key || ue.Suggestion != tc.suggestion {
				t.Errorf("got %+v", ue)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "exp.yaml:") || (tc.suggestion != "" && !strings.Contains(msg, `did you mean "`+tc.suggestion+`"`)) {
				t.Errorf("message %q lacks file:line or suggestion", msg)
			}
			if tc.suggestion == "" && len(ue.Known) == 0 {
				t.Error("no suggestion and no list of known keys")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("not ErrInvalid")
			}
		})
	}
}

func TestTypeErrors(t *testing.T) {
	for _, tc := range []struct {
		src, key, want string
		line           int
	}{
		{"optimizer:\n  lr: abc\n", "optimizer.lr", "float", 2},
		{"optimizer:\n  lr: \"0.1\"\n", "optimizer.lr", "float", 2},
		{"training:\n  num_epochs: 1.5\n", "training.num_epochs", "integer", 2},
		{"training:\n  num_epochs: \"30\"\n", "training.num_epochs", "integer", 2},
		{"model:\n  normalize_features: yes\n", "model.normalize_features", "bool", 2},
		{"model:\n  clip_name: 14\n", "model.clip_name", "string", 2},
		{"mean: 0.5\n", "mean", "list of float", 1},
		{"model:\n  classifier_hidden_dims: [384, 1.5]\n", "model.classifier_hidden_dims[1]", "integer", 2},
		{"model: 3\n", "model", "mapping", 1},
		{"dataset:\n  test_dataset: [celebdf, [dfd]]\n", "dataset.test_dataset[1]", "string", 2},
		{"seed: 99999999999999999999\n", "seed", "integer", 1},
		{"base: [a.yaml]\n", "base", "string", 1},
	} {
		_, _, err := LoadBytes("t.yaml", []byte(tc.src), nil)
		var te *TypeError
		if !errors.As(err, &te) {
			t.Errorf("%q: want TypeError, got %v", tc.src, err)
			continue
		}
		if te.Key != tc.key || !strings.HasPrefix(te.Want, tc.want) || te.Line != tc.line || te.File != "t.yaml" {
			t.Errorf("%q: got %+v", tc.src, te)
		}
		if !strings.Contains(err.Error(), "expected "+tc.want) {
			t.Errorf("%q: message %q does not name the expected type", tc.src, err)
		}
	}
}

func TestSeveralProblemsReportedTogether(t *testing.T) {
	_, _, err := LoadBytes("t.yaml", []byte("model:\n  dropot: 0.1\noptimizer:\n  lr: x\n"), nil)
	var ue *UnknownKeyError
	var te *TypeError
	if !errors.As(err, &ue) || !errors.As(err, &te) {
		t.Fatalf("want both errors, got %v", err)
	}
	if strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("want one line per problem, got %q", err)
	}
}

func TestRangeErrors(t *testing.T) {
	for _, tc := range []struct {
		set    []string
		key    string
		reason string
	}{
		{[]string{"optimizer.lr=-0.001"}, "optimizer.lr", "> 0"},
		{[]string{"optimizer.lr=0"}, "optimizer.lr", "> 0"},
		{[]string{"optimizer.weight_decay=-0.1"}, "optimizer.weight_decay", ">= 0"},
		{[]string{"optimizer.eps=0"}, "optimizer.eps", "> 0"},
		{[]string{"optimizer.betas=[0.9]"}, "optimizer.betas", "2 values"},
		{[]string{"optimizer.betas=[0.9, 1.0]"}, "optimizer.betas[1]", "[0, 1)"},
		{[]string{"optimizer.type=sgd"}, "optimizer.type", "adamw"},
		{[]string{"model.dropout=1.0"}, "model.dropout", "[0, 1)"},
		{[]string{"model.dropout=-0.1"}, "model.dropout", "[0, 1)"},
		{[]string{"model.dropout=.nan"}, "model.dropout", "[0, 1)"},
		{[]string{"model.num_classes=3"}, "model.num_classes", "2"},
		{[]string{"model.fusion_num_heads=7"}, "model.fusion_num_heads", "divide"},
		{[]string{"model.feature_dim=0"}, "model.feature_dim", "at least 1"},
		{[]string{"model.classifier_hidden_dims=[384, 0]"}, "model.classifier_hidden_dims[1]", "at least 1"},
		{[]string{"model.gate_init_bias=.inf"}, "model.gate_init_bias", "finite"},
		{[]string{"fairness_loss.sinkhorn_blur=0"}, "fairness_loss.sinkhorn_blur", "> 0"},
		{[]string{"fairness_loss.sinkhorn_blur=-1.0e-4"}, "fairness_loss.sinkhorn_blur", "> 0"},
		{[]string{"fairness_loss.sinkhorn_p=3"}, "fairness_loss.sinkhorn_p", "1 or 2"},
		{[]string{"fairness_loss.scaling=1.0"}, "fairness_loss.scaling", "(0, 1)"},
		{[]string{"fairness_loss.scaling=0"}, "fairness_loss.scaling", "(0, 1)"},
		{[]string{"fairness_loss.num_subgroups=9"}, "fairness_loss.num_subgroups", "[2, 8]"},
		{[]string{"fairness_loss.min_samples_per_subgroup=0"}, "fairness_loss.min_samples_per_subgroup", "at least 1"},
		{[]string{"training.train_batch_size=4"}, "training.train_batch_size", "num_subgroups"},
		{[]string{"training.num_epochs=0"}, "training.num_epochs", "at least 1"},
		{[]string{"training.num_workers=-1"}, "training.num_workers", "0 or more"},
		{[]string{"scheduler.name=StepLR"}, "scheduler.name", "WarmupCosine"},
		{[]string{"scheduler.warmup_epochs=30"}, "scheduler.warmup_epochs", "less than"},
		{[]string{"scheduler.T_0=0"}, "scheduler.T_0", "at least 1"},
		{[]string{"scheduler.eta_min=0.01"}, "scheduler.eta_min", "optimizer.lr"},
		{[]string{"loss.type=hinge"}, "loss.type", "cross_entropy"},
		{[]string{"loss.label_smoothing=1.0"}, "loss.label_smoothing", "[0, 1)"},
		{[]string{"loss.focal_alpha=1.5"}, "loss.focal_alpha", "[0, 1]"},
		{[]string{"loss.class_weights=[1.0]"}, "loss.class_weights", "num_classes"},
		{[]string{"loss.class_weights=[1.0, 0]"}, "loss.class_weights[1]", "> 0"},
		{[]string{"loss_weighting.type=auto"}, "loss_weighting.type", "fixed"},
		{[]string{"loss_weighting.lambda_fair=-0.1"}, "loss_weighting.lambda_fair", ">= 0"},
		{[]string{"gradient_clip_max_norm=-1"}, "gradient_clip_max_norm", ">= 0"},
		{[]string{"evaluation.metric_for_best=f1"}, "evaluation.metric_for_best", "auc"},
		{[]string{"evaluation.fairness_convention=mine"}, "evaluation.fairness_convention", "pgfdd"},
		{[]string{"evaluation.bootstrap=-5"}, "evaluation.bootstrap", "0 or more"},
		{[]string{"features.mode=ram"}, "features.mode", "disk"},
		{[]string{"features.views=0"}, "features.views", "at least 1"},
		{[]string{"dataset.on_bad_image=ignore"}, "dataset.on_bad_image", "fail"},
		{[]string{"dataset.subgroup_sampler_by_label=true", "dataset.use_subgroup_sampler=false"}, "dataset.subgroup_sampler_by_label", "use_subgroup_sampler"},
		{[]string{"dataset.train_dataset=[]"}, "dataset.train_dataset", "at least one"},
		{[]string{"mean=[0.5, 0.5]"}, "mean", "3 values"},
		{[]string{"std=[0.2, 0, 0.2]"}, "std[1]", "> 0"},
		{[]string{"stage1_checkpoint="}, "stage1_checkpoint", "random_stage1"},
		{[]string{"logging.experiment_name=a/b"}, "logging.experiment_name", "path separators"},
		{[]string{"backend=xla:plugin.so"}, "backend", "absolute"},
		{[]string{"backend=cuda"}, "backend", "xla:"},
	} {
		_, _, err := LoadBytes("exp.yaml", nil, tc.set)
		var re *RangeError
		if !errors.As(err, &re) {
			t.Errorf("%v: want RangeError, got %v", tc.set, err)
			continue
		}
		if re.Key != tc.key || !strings.Contains(re.Reason, tc.reason) {
			t.Errorf("%v: got %v", tc.set, re)
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: not ErrInvalid", tc.set)
		}
	}
}

func TestRangeAccepted(t *testing.T) {
	for _, set := range [][]string{
		{"training.train_batch_size=4", "dataset.use_subgroup_sampler=false"},
		{"training.train_batch_size=8"},
		{"stage1_checkpoint=", "model.random_stage1=true"},
		{"model.dropout=0"},
		{"fairness_loss.sinkhorn_p=1"},
		{"scheduler.name=CosineAnnealingWarmRestarts", "scheduler.warmup_epochs=30"},
		{"scheduler.name=CosineAnnealingLR"},
		{"loss.type=focal", "loss.class_weights=[1.0, 2.0]"},
		{"loss_weighting.type=dynamic"},
		{"evaluation.fairness_convention=deepfakebench", "evaluation.metric_for_best=eer"},
		{"features.mode=none", "features.dir="},
		{"backend=xla:/opt/pjrt/plugin.so"},
		{"backend=go:ops_sequential"},
		{"dataset.on_bad_image=skip"},
	} {
		if _, _, err := LoadBytes("exp.yaml", nil, set); err != nil {
			t.Errorf("%v: %v", set, err)
		}
	}
}

func TestRangeErrorPosition(t *testing.T) {
	_, _, err := LoadBytes("exp.yaml", []byte("seed: 1\nmodel:\n  dropout: 1.5 # 너무 큼\n"), nil)
	var re *RangeError
	if !errors.As(err, &re) || re.File != "exp.yaml" || re.Line != 3 || re.Key != "model.dropout" {
		t.Fatalf("got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "exp.yaml:3:12: model.dropout = 1.5") {
		t.Errorf("message %q", err)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		"model:\n  dropout: 0.1\n   x: 1\n",
		"seed: 1\nseed: 2\n",
		"a: [1, 2\n",
		"---\nseed: 1\n---\nseed: 2\n",
		"model: &m\n  dropout: 0.1\nfoo:\n  <<: *m\n",
		"seed: !!float 1\n",
	} {
		_, _, err := LoadBytes("s.yaml", []byte(src), nil)
		var se *SyntaxError
		if !errors.As(err, &se) || se.File != "s.yaml" || !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: want SyntaxError, got %v", src, err)
		}
	}
	if _, _, err := LoadBytes("s.yaml", []byte("[1, 2]\n"), nil); !errors.As(err, new(*TypeError)) {
		t.Errorf("top-level list: got %v", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, os.ErrNotExist) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
}

func TestSetErrors(t *testing.T) {
	for _, tc := range []struct {
		set        string
		wantType   any
		suggestion string
	}{
		{"optimizer.lrr=3", &UnknownKeyError{}, "optimizer.lr"},
		{"lr=3e-4", &UnknownKeyError{}, "optimizer.lr"},
		{"optimizer.lr.x=3", &UnknownKeyError{}, "optimizer.lr"},
		{"modle.dropout=0.1", &UnknownKeyError{}, "model"},
		{"optimizer.lr=abc", &TypeError{}, ""},
		{"training.num_epochs=2.5", &TypeError{}, ""},
		{"dataset.use_subgroup_sampler=maybe", &TypeError{}, ""},
		{"optimizer=3", &TypeError{}, ""},
		{"optimizer.lr", &SyntaxError{}, ""},
		{"=3", &SyntaxError{}, ""},
		{"mean=[1, 2", &SyntaxError{}, ""},
	} {
		_, _, err := LoadBytes("exp.yaml", nil, []string{tc.set})
		if err == nil {
			t.Errorf("%s: no error", tc.set)
			continue
		}
		if !strings.HasPrefix(err.Error(), "--set ") || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: message %q should start with the override", tc.set, err)
		}
		switch tc.wantType.(type) {
		case *UnknownKeyError:
			var ue *UnknownKeyError
			if !errors.As(err, &ue) || ue.Suggestion != tc.suggestion {
				t.Errorf("%s: got %v", tc.set, err)
			}
		case *TypeError:
			if !errors.As(err, new(*TypeError)) {
				t.Errorf("%s: want TypeError, got %v", tc.set, err)
			}
		case *SyntaxError:
			if !errors.As(err, new(*SyntaxError)) {
				t.Errorf("%s: want SyntaxError, got %v", tc.set, err)
			}
		}
	}
}

func TestSetTyped(t *testing.T) {
	c, notices, err := LoadBytes("exp.yaml", []byte("seed: 1\n"), []string{
		"optimizer.lr=3e-4",
		"training.num_epochs=12",
		"dataset.use_data_augmentation=false",
		"dataset.test_dataset=[dfd, dfdc]",
		"logging.experiment_name=2024",
		"stage1_checkpoint=\"/a b/c.pth\"",
		"loss.class_weights=null",
		"seed=7",
		"model.gate_init_bias=0.5",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Optimizer.LR != 3e-4 || c.Training.NumEpochs != 12 || c.Dataset.UseDataAugmentation ||
		strings.Join(c.Dataset.TestDataset, ",") != "dfd,dfdc" || c.Logging.ExperimentName != "2024" ||
		c.Stage1Checkpoint != "/a b/c.pth" || c.Loss.ClassWeights != nil || c.Seed != 7 || *c.Model.GateInitBias != 0.5 {
		t.Errorf("overrides not applied: %+v", c)
	}
	if len(notices) != 0 {
		t.Errorf("unexpected notices %v", notices)
	}
	// ApplySets does the same on a resolved config.
	c2, err := ApplySets(Default(), []string{"optimizer.lr=0.001"})
	if err != nil || c2.Optimizer.LR != 0.001 {
		t.Errorf("ApplySets: %v %v", c2.Optimizer.LR, err)
	}
	if _, err := ApplySets(Default(), []string{"optimizer.lr=-1"}); !errors.As(err, new(*RangeError)) {
		t.Errorf("ApplySets range: %v", err)
	}
}

func TestScientificWithoutDotNotice(t *testing.T) {
	c, notices, err := LoadBytes("n.yaml", []byte("optimizer:\n  lr: 3e-4\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Optimizer.LR != 3e-4 {
		t.Errorf("lr %v", c.Optimizer.LR)
	}
	if len(notices) != 2 || !strings.Contains(fmtNotices(notices), "n.yaml:2: optimizer.lr: read 3e-4 as the float 0.0003") {
		t.Errorf("want a portability notice, got %v", notices)
	}
}

func fmtNotices(ns []Notice) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteString(n.String() + "\n")
	}
	return b.String()
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"seed", "seed", 0},
		{"sede", "seed", 1}, {"sede", "std", 2}, {"kitten", "sitting", 3}, {"lr", "rl", 1},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestSamplerNotices: a batch too small for min_samples_per_subgroup per subgroup, or
// per subgroup and label with dataset.subgroup_sampler_by_label, is flagged.
func TestSamplerNotices(t *testing.T) {
	for _, tc := range []struct {
		sets []string
		want string // "" = no notice
	}{
		{[]string{"training.train_batch_size=32"}, ""},
		{[]string{"training.train_batch_size=8"}, "1 samples per subgroup"},
		{[]string{"training.train_batch_size=32", "dataset.subgroup_sampler_by_label=true"}, ""},
		{[]string{"training.train_batch_size=16", "dataset.subgroup_sampler_by_label=true"}, "per subgroup and label"},
		{[]string{"training.train_batch_size=16", "dataset.subgroup_sampler_by_label=true", "loss_weighting.lambda_fair=0"}, ""},
	} {
		_, notices, err := LoadBytes("n.yaml", nil, tc.sets)
		if err != nil {
			t.Fatalf("%v: %v", tc.sets, err)
		}
		var got []string
		for _, n := range notices {
			if n.Key == "training.train_batch_size" {
				got = append(got, n.Message)
			}
		}
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("%v: unexpected notices %v", tc.sets, got)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
			t.Errorf("%v: notices %v, want one mentioning %q", tc.sets, got, tc.want)
		}
	}
}
