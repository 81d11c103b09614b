package sweep

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeWarmupSpace writes a base with scheduler.warmup_epochs 3 and a space over
// training.num_epochs: an epoch count <= 3 is an invalid configuration.
func writeWarmupSpace(t *testing.T, epochs string) (*Space, string) {
	t.Helper()
	dir := t.TempDir()
	s := writeSpace(t, dir, `
base: base.yaml
params:
  training.num_epochs: {grid: [`+epochs+`]}
objectives:
  val_auc: max
  val_f_meo: min
`)
	if err := os.WriteFile(filepath.Join(dir, "base.yaml"), []byte("seed: 1\nscheduler:\n  warmup_epochs: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s, filepath.Join(dir, "sw")
}

func launched(t *Trial) bool {
	_, err := os.Stat(filepath.Join(t.RunDir, "params.txt")) // written by the stand-in trainer
	return err == nil
}

func TestInvalidTrialsNotLaunched(t *testing.T) {
	cases := []struct {
		name         string
		epochs       string
		complete     int
		wantAllValid error
	}{
		{"some invalid", "2, 5, 3, 6", 2, nil},
		{"all invalid", "1, 2, 3", 0, ErrAllInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, out := writeWarmupSpace(t, c.epochs)
			sum, err := Run(context.Background(), s, Options{SweepDir: out, Parallel: 2, Command: fakeCommand(t),
				Poll: 20 * time.Millisecond})
			if !errors.Is(err, c.wantAllValid) || (c.wantAllValid == nil && err != nil) {
				t.Fatalf("Run error %v, want %v", err, c.wantAllValid)
			}
			if sum.Complete != c.complete || len(sum.Trials) != len(strings.Split(c.epochs, ",")) {
				t.Fatalf("summary %+v, want %d complete", sum, c.complete)
			}
			for i := range sum.Trials {
				tr := &sum.Trials[i]
				epochs := tr.Params["training.num_epochs"]
				n, err := toFloat(epochs)
				if err != nil {
					t.Fatal(err)
				}
				valid := n > 3
				if valid != (tr.State == StateComplete) || valid != launched(tr) {
					t.Errorf("trial %d (num_epochs %v): state %s, launched %v", tr.ID, epochs, tr.State, launched(tr))
				}
				if !valid && (!strings.HasPrefix(tr.Error, invalidPrefix) || !strings.Contains(tr.Error, "warmup_epochs")) {
					t.Errorf("trial %d: error %q, want the configuration error", tr.ID, tr.Error)
				}
			}
			st, err := LoadStatus(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.CheckCompleted(); (err == nil) != (c.complete > 0) || (err != nil && !errors.Is(err, ErrNoCompleted)) {
				t.Errorf("CheckCompleted = %v with %d complete", err, c.complete)
			}
		})
	}
}
