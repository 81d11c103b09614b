package config

import (
	"path/filepath"
	"reflect"
	"testing"
)

func loadRepo(t *testing.T, names ...string) []Config {
	t.Helper()
	var out []Config
	for _, n := range names {
		c, _, err := Load(filepath.Join("..", "configs", n), nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

var expNames = []string{"exp1_baseline", "exp2_fairness_boost", "exp3_balanced_recovery"}

// The report's table 2.1, in fairclip's notation: the nine parameters plus the
// experiment name, arrows against Exp1, "restored" where Exp3 returns to Exp1.
const wantText = `parameter                    exp1_baseline  exp2_fairness_boost  exp3_balanced_recovery
logging.experiment_name      exp1_baseline  exp2_fairness_boost  exp3_balanced_recovery
model.dropout                0.1            0.2 (↑)              0.15 (↑)
model.gate_init_bias         1.0            1.0                  0.0 (↓)
training.num_epochs          30             25 (↓)               30 (restored)
optimizer.lr                 0.0003         0.0002 (↓)           0.0003 (restored)
optimizer.weight_decay       0.01           0.05 (↑)             0.01 (restored)
scheduler.warmup_epochs      3              2 (↓)                3 (restored)
loss.label_smoothing         0.0            0.1 (↑)              0.1 (↑)
fairness_loss.sinkhorn_blur  0.0001         0.001 (↑)            0.0001 (restored)
loss_weighting.lambda_fair   0.05           0.5 (↑)              0.15 (↑)
`

const wantMarkdown = `| parameter | exp1_baseline | exp2_fairness_boost | exp3_balanced_recovery |
|---|---|---|---|
| logging.experiment_name | exp1_baseline | exp2_fairness_boost | exp3_balanced_recovery |
| model.dropout | 0.1 | 0.2 (↑) | 0.15 (↑) |
| model.gate_init_bias | 1.0 | 1.0 | 0.0 (↓) |
| training.num_epochs | 30 | 25 (↓) | 30 (restored) |
| optimizer.lr | 0.0003 | 0.0002 (↓) | 0.0003 (restored) |
| optimizer.weight_decay | 0.01 | 0.05 (↑) | 0.01 (restored) |
| scheduler.warmup_epochs | 3 | 2 (↓) | 3 (restored) |
| loss.label_smoothing | 0.0 | 0.1 (↑) | 0.1 (↑) |
| fairness_loss.sinkhorn_blur | 0.0001 | 0.001 (↑) | 0.0001 (restored) |
| loss_weighting.lambda_fair | 0.05 | 0.5 (↑) | 0.15 (↑) |
`

func TestDiffTable21(t *testing.T) {
	cfgs := loadRepo(t, "exp1_baseline.yaml", "exp2_fairness_boost.yaml", "exp3_balanced_recovery.yaml")
	rows := Diff(cfgs, expNames)
	if len(rows) != 10 {
		t.Fatalf("want 9 parameters + experiment name, got %d rows: %+v", len(rows), rows)
	}
	if got := RenderDiff(rows, expNames, "text"); got != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", got, wantText)
	}
	if got := RenderDiff(rows, expNames, "markdown"); got != wantMarkdown {
		t.Errorf("markdown:\n%s\nwant:\n%s", got, wantMarkdown)
	}
}

func TestDiffMarks(t *testing.T) {
	mk := func(lr float64, name, opt string, test []string) Config {
		c := Default()
		c.Optimizer.LR = lr
		c.Logging.ExperimentName = name
		c.Loss.Type = opt
		c.Dataset.TestDataset = test
		return c
	}
	cfgs := []Config{
		mk(1e-3, "a", "focal", []string{"dfd"}),
		mk(1e-3, "b", "bce", []string{"dfd"}),
		mk(2e-3, "c", "focal", []string{"dfd", "dfdc"}),
		mk(1e-3, "d", "focal", []string{"dfd"}),
	}
	got := Diff(cfgs, nil)
	want := []DiffRow{
		{Key: "logging.experiment_name", Values: []string{"a", "b", "c", "d"}, Marks: []string{"", "", "", ""}},
		{Key: "dataset.test_dataset", Values: []string{"[dfd]", "[dfd]", "[dfd, dfdc]", "[dfd]"}, Marks: []string{"", "", "", "restored"}},
		{Key: "optimizer.lr", Values: []string{"0.001", "0.001", "0.002", "0.001"}, Marks: []string{"", "", "↑", "restored"}},
		{Key: "loss.type", Values: []string{"focal", "bce", "focal", "focal"}, Marks: []string{"", "", "restored", "restored"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if rows := Diff(cfgs[:1], nil); rows != nil {
		t.Errorf("one config: %v", rows)
	}
	if rows := Diff([]Config{cfgs[0], cfgs[0]}, nil); len(rows) != 0 {
		t.Errorf("identical configs: %v", rows)
	}
}

func TestRenderDiffEscapesPipes(t *testing.T) {
	rows := []DiffRow{{Key: "k", Values: []string{"a|b", "c"}, Marks: []string{"", ""}}}
	want := "| parameter | x | y |\n|---|---|---|\n| k | a\\|b | c |\n"
	if got := RenderDiff(rows, []string{"x", "y"}, "markdown"); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}
