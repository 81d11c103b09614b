package train

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/runs"
)

// stage1ResumeOptions is a 3-epoch Stage 1 run on the tiny synthetic features
// (12 batches per epoch), validating and probing every epoch.
func stage1ResumeOptions(t *testing.T, cfg config.Config) Options {
	t.Helper()
	src, err := NewSynthetic("tiny", cfg.Model.FeatureDim, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Config: cfg, Source: src, RunDir: filepath.Join(t.TempDir(), "run"), Version: "test", Out: &bytes.Buffer{}}
}

func stage1ResumeConfig(t *testing.T) config.Config {
	cfg := loadStage1Test(t)
	cfg.Training.NumEpochs = 3
	cfg.Evaluation.EvalFreq, cfg.Stage1.ProbeEvery, cfg.Logging.SaveFreq = 1, 1, 1
	return cfg
}

// eventLines reads events.jsonl as JSON objects without their "time" and
// "seconds" fields (the only ones that may differ between equal runs).
func eventLines(t *testing.T, dir string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, runs.EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		delete(m, "time")
		delete(m, "seconds")
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStage1ResumeAfterKillMatchesUninterrupted kills a Stage 1 run mid-epoch 2
// (and leaves a half-written event line, as a killed process can), resumes it, and
// compares it with an uninterrupted run: the checkpoints and the exported adapter
// byte for byte, and the events apart from times and the interruption's own lines.
func TestStage1ResumeAfterKillMatchesUninterrupted(t *testing.T) {
	cfg := stage1ResumeConfig(t)
	full := stage1ResumeOptions(t, cfg)
	if _, err := RunStage1(context.Background(), full); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, full.Out)
	}

	killed := stage1ResumeOptions(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	killed.AfterBatch = func(epoch, batch int) {
		if epoch == 2 && batch == 2 {
			cancel()
		}
	}
	if res, err := RunStage1(ctx, killed); !errors.Is(err, context.Canceled) || res.EpochsCompleted != 1 {
		t.Fatalf("killed run: %+v, err %v; want 1 epoch and context.Canceled", res, err)
	}
	evs, err := os.OpenFile(filepath.Join(killed.RunDir, runs.EventsFile), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := evs.WriteString(`{"type":"stage1_epoch","epoch":2,"lr":0.0`); err != nil {
		t.Fatal(err)
	}
	evs.Close()

	resumed := killed
	resumed.AfterBatch = nil
	resumed.Resume, resumed.RunDir = killed.RunDir, ""
	resumed.Out = &bytes.Buffer{}
	res, err := RunStage1(context.Background(), resumed)
	if err != nil {
		t.Fatalf("resume: %v\n%s", err, resumed.Out)
	}
	if res.Status != runs.StatusCompleted || res.EpochsCompleted != 3 || res.RunDir != killed.RunDir {
		t.Fatalf("resumed run: %+v", res)
	}
	if out := resumed.Out.(*bytes.Buffer).String(); !strings.Contains(out, "Resuming") || strings.Contains(out, "Epoch 1/3") {
		t.Errorf("resumed run's log does not start after epoch 1:\n%s", out)
	}

	for _, name := range []string{"latest.safetensors", "best.safetensors", cfg.Stage1.ExportName} {
		a, err := os.ReadFile(filepath.Join(full.RunDir, name))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(killed.RunDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between the uninterrupted and the resumed run", name)
		}
	}

	want := eventLines(t, full.RunDir)
	var got []map[string]any
	interruptions := 0
	for _, m := range eventLines(t, killed.RunDir) {
		if (m["type"] == runs.TypeRunEnd && m["status"] == runs.StatusFailed) || (m["type"] == runs.TypeWarning && m["kind"] == "resumed") {
			interruptions++
			continue
		}
		got = append(got, m)
	}
	if interruptions != 2 {
		t.Errorf("%d run_end(failed)/resumed lines, want 2", interruptions)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events differ:\n full    %v\n resumed %v", want, got)
	}
	if err := runs.ValidateLog(killed.RunDir); err != nil {
		t.Errorf("resumed run's events.jsonl: %v", err)
	}
}

func TestStage1ResumeRejects(t *testing.T) {
	cfg := stage1ResumeConfig(t)
	cfg.Training.NumEpochs = 1
	o := stage1ResumeOptions(t, cfg)
	if _, err := RunStage1(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, want string
		edit       func(*Options)
	}{
		{"other config", "config hash", func(o *Options) { o.Config.Stage1.LambdaRace = 0.7 }},
		{"no checkpoint", "no latest.safetensors", func(o *Options) { o.Resume = t.TempDir() }},
		{"stage 2 checkpoint", "not a fairclip Stage 1 checkpoint", func(o *Options) {
			dir := t.TempDir()
			s2 := tinyOptions(t, tinyConfig(t))
			s2.Config.Training.NumEpochs, s2.RunDir = 1, dir
			if _, err := Run(context.Background(), s2); err != nil {
				t.Fatal(err)
			}
			o.Resume = dir
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := o
			r.Resume, r.DryRun = o.RunDir, true
			c.edit(&r)
			if _, err := RunStage1(context.Background(), r); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want one mentioning %q", err, c.want)
			}
		})
	}
}
