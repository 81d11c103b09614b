package runs

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 28, 10, 44, 38, 0, time.UTC)

// sampleEvents has one event of every type, with undefined (NaN) values where the
// schema allows them.
func sampleEvents() []Event {
	val := Metrics{AUC: 0.827, ACC: 0.816, EER: 0.2541, AP: 0.9618, FFPR: 1.6689, FFPROverall: 1.2,
		FOAE: 0.1395, FDP: 0.3871, FMEO: 0.9217, MajorityShare: 0.8388, PredictedPositiveShare: 0.2}
	undefined := val
	undefined.FFPR, undefined.FOAE = math.NaN(), math.NaN()
	return []Event{
		RunStartEvent{Time: t0, Experiment: "exp1_baseline", ConfigHash: "0123456789abcdef", Seed: 42,
			Backend: "go:ops_sequential", FairclipVersion: "0.1.0",
			Params: Params{Total: 353000000, Trainable: 9377475, Frozen: 343622525},
			Plan:   Plan{Epochs: 30, BatchesPerEpoch: 138, TrainSamples: 76139, ValSamples: 14000}},
		EpochEvent{Time: t0.Add(time.Minute), Epoch: 1, LR: 3e-4, TrainLoss: 0.45, TrainClsLoss: 0.4465,
			TrainFairLoss: 0.07, LambdaFair: 0.05, EffectiveFairContribution: 0.0078,
			FairUndefinedBatches: 2, ValLoss: math.NaN(), Val: undefined,
			Gate: Gate{Mean: 0.96, Min: 0.9, Max: 0.99, P5: 0.93, P95: 0.985}, CrossAttentionShare: 0.04,
			Degenerate: true, Seconds: 925.5},
		TestEvent{Time: t0, Epoch: 24, Dataset: "celebdf", Metrics: val, ScoresFile: "scores/test_celebdf_ep24.csv"},
		BestEvent{Time: t0, Epoch: 24, Metric: "auc", Value: 0.827, Checkpoint: "best_ep24_auc0.8270_acc0.8160.safetensors"},
		CheckpointEvent{Time: t0, Epoch: 24, Path: "latest.safetensors", Kind: "latest"},
		WarningEvent{Time: t0, Epoch: 3, Kind: WarnGateSaturation, Message: "gate mean 0.96 \"saturated\""},
		DegeneratePhaseEvent{Time: t0, Start: 1, End: 5},
		FairUndefinedEvent{Time: t0, Epoch: 2, Batch: 17, Reason: "no class with two valid subgroups"},
		BadSampleEvent{Time: t0, Path: "ff++/x.png", CSV: "ff++/realtrain.csv", Row: 12, Error: "unexpected EOF"},
		RunEndEvent{Time: t0, Status: StatusStoppedNonfinite, EpochsCompleted: 3, Seconds: 12.5, BestEpoch: 0, Error: "loss is NaN"},
		sampleStage1Epoch(),
	}
}

// sampleStage1Epoch is a Stage 1 epoch with an absent subgroup (NaN in the arrays)
// and no gender probe (NaN).
func sampleStage1Epoch() Stage1EpochEvent {
	nan := math.NaN()
	return Stage1EpochEvent{Time: t0, Epoch: 2, LR: 1e-3, LambdaGRL: 0.964, TrainLoss: 2.1, TrainRaceLoss: 1.38,
		TrainGenderLoss: 0.69, TrainSimilarityLoss: 0.06, TrainFairnessLoss: 0.72, TrainPairwiseLoss: 0.8,
		TrainRaceAcc: 0.3, TrainGenderAcc: 0.55, FairUndefinedBatches: 1, ValSamples: 2500, ValCosine: 0.936,
		ValRaceAcc: 0.13, ValGenderAcc: 0.4, Score: -0.02, ProbeRaceAcc: 0.54, ProbeGenderAcc: nan,
		ProbeRaceAccCLIP: 0.997, ProbeGenderAccCLIP: 1, SinkhornGlobalBefore: 0.824, SinkhornGlobalAfter: 0.72,
		SinkhornPairwiseBefore: 0.917, SinkhornPairwiseAfter: 0.8,
		SinkhornSubgroupBefore: [NumSubgroups]float64{0.8, 0.9, 0.7, nan, 0.85, 0.8, 0.75, 0.9},
		SinkhornSubgroupAfter:  [NumSubgroups]float64{0.7, 0.8, 0.6, nan, 0.75, 0.7, 0.65, 0.8},
		Best:                   true, Seconds: 75}
}

func TestEveryTypeHasASample(t *testing.T) {
	seen := map[string]bool{}
	for _, ev := range sampleEvents() {
		seen[ev.EventType()] = true
	}
	for _, typ := range EventTypes() {
		if !seen[typ] {
			t.Errorf("no sample event of type %s", typ)
		}
	}
}

func TestEventsRoundTripAndConform(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exp_2026-01-28-10-44-38")
	r, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := sampleEvents()
	for _, ev := range want {
		if err := r.Events().Append(ev); err != nil {
			t.Fatal(err)
		}
	}
	// A zero time is stamped.
	if err := r.Events().Append(WarningEvent{Kind: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != len(want)+1 {
		t.Fatalf("%d lines, want %d", len(lines), len(want)+1)
	}
	for i, line := range lines {
		if err := ValidateEvent([]byte(line)); err != nil {
			t.Errorf("line %d does not conform: %v\n%s", i+1, err, line)
		}
		if !strings.HasPrefix(line, `{"type":"`) {
			t.Errorf("line %d does not start with type: %s", i+1, line)
		}
	}
	if !strings.Contains(lines[1], `"val_loss":null`) || !strings.Contains(lines[1], `"f_fpr":null`) {
		t.Errorf("NaN not written as null: %s", lines[1])
	}
	got, err := ReadEvents(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want)+1 {
		t.Fatalf("read %d events, want %d", len(got), len(want)+1)
	}
	for i, ev := range want {
		if reflect.TypeOf(got[i]) != reflect.TypeOf(ev) {
			t.Errorf("event %d: type %T, want %T", i, got[i], ev)
			continue
		}
		// NaN != NaN, so compare the encodings.
		a, _ := encodeEvent(ev)
		b, _ := encodeEvent(got[i])
		if !bytes.Equal(a, b) {
			t.Errorf("event %d round trip:\n got %s\nwant %s", i, b, a)
		}
	}
	ep := got[1].(EpochEvent)
	if !math.IsNaN(ep.ValLoss) || !math.IsNaN(ep.Val.FFPR) || ep.Val.AUC != 0.827 {
		t.Errorf("epoch event decoded as %+v", ep)
	}
	s1 := got[len(want)-1].(Stage1EpochEvent)
	if !math.IsNaN(s1.ProbeGenderAcc) || !math.IsNaN(s1.SinkhornSubgroupAfter[3]) || s1.SinkhornSubgroupAfter[2] != 0.6 || s1.Score != -0.02 {
		t.Errorf("stage1_epoch event decoded as %+v", s1)
	}
	if !strings.Contains(lines[len(want)-1], `"sinkhorn_subgroup_after":[0.7,0.8,0.6,null,0.75,0.7,0.65,0.8]`) {
		t.Errorf("stage1_epoch arrays not written with null: %s", lines[len(want)-1])
	}
	if got[len(got)-1].EventTime().IsZero() {
		t.Error("zero time was not stamped")
	}
}

func TestValidateEventRejects(t *testing.T) {
	good := `{"type":"best","time":"2026-01-28T10:44:38Z","epoch":24,"metric":"auc","value":0.827,"checkpoint":"c"}`
	if err := ValidateEvent([]byte(good)); err != nil {
		t.Fatalf("good line rejected: %v", err)
	}
	tests := []struct {
		name, line, want string
	}{
		{"not json", `{"type":`, "not a JSON object"},
		{"no type", `{"time":"2026-01-28T10:44:38Z"}`, `missing field "type"`},
		{"unknown type", `{"type":"epochs","time":"2026-01-28T10:44:38Z"}`, "unknown event type"},
		{"missing field", strings.Replace(good, `,"checkpoint":"c"`, "", 1), `missing field "checkpoint"`},
		{"extra field", strings.Replace(good, `}`, `,"auc":1}`, 1), `undocumented field "auc"`},
		{"bad time", strings.Replace(good, "2026-01-28T10:44:38Z", "yesterday", 1), "RFC 3339"},
		{"epoch zero", strings.Replace(good, `"epoch":24`, `"epoch":0`, 1), "epochs count from 1"},
		{"float epoch", strings.Replace(good, `"epoch":24`, `"epoch":24.5`, 1), "want an integer"},
		{"string value", strings.Replace(good, `"value":0.827`, `"value":"0.827"`, 1), "want a number"},
		{"bad status", `{"type":"run_end","time":"2026-01-28T10:44:38Z","status":"done","epochs_completed":1,"seconds":1,"best_epoch":1,"error":""}`, "want one of"},
		{"percent not fraction", `{"type":"test","time":"2026-01-28T10:44:38Z","epoch":1,"dataset":"dfd","scores_file":"",` +
			`"metrics":{"auc":82.7,"acc":null,"eer":null,"ap":null,"f_fpr":null,"f_fpr_overall":null,"f_oae":null,"f_dp":null,"f_meo":null,"majority_share":null,"predicted_positive_share":null}}`,
			`"metrics.auc" = 82.7: want a fraction`},
		{"nested missing", `{"type":"test","time":"2026-01-28T10:44:38Z","epoch":1,"dataset":"dfd","scores_file":"","metrics":{}}`, `missing field "metrics.auc"`},
		{"phase reversed", `{"type":"degenerate_phase","time":"2026-01-28T10:44:38Z","start":5,"end":1}`, "end 1 < start 5"},
		{"stage1 array too short", stage1Line(t, `"sinkhorn_subgroup_before":[0.8,0.9,0.7,null,0.85,0.8,0.75,0.9]`, `"sinkhorn_subgroup_before":[0.8,0.9]`), "want an array of 8"},
		{"stage1 array element", stage1Line(t, `"sinkhorn_subgroup_before":[0.8,`, `"sinkhorn_subgroup_before":["a",`), `"sinkhorn_subgroup_before[0]": want a number`},
		{"stage1 probe percent", stage1Line(t, `"probe_race_acc":0.54`, `"probe_race_acc":54`), `"probe_race_acc" = 54: want a fraction`},
		{"stage1 missing probe", stage1Line(t, `"probe_race_acc_clip":0.997,`, ``), `missing field "probe_race_acc_clip"`},
		{"best auc percent", strings.Replace(good, `"value":0.827`, `"value":82.7`, 1), `"value" = 82.7: want a fraction`},
		{"bool as int", `{"type":"degenerate_phase","time":"2026-01-28T10:44:38Z","start":true,"end":1}`, "want an integer"},
	}
	stage1Best := strings.Replace(strings.Replace(good, `"value":0.827`, `"value":-0.12`, 1), `"auc"`, `"`+BestMetricStage1+`"`, 1)
	if err := ValidateEvent([]byte(stage1Best)); err != nil {
		t.Errorf("a negative stage1_score best value rejected: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateEvent([]byte(tc.line))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ValidateEvent = %v, want error containing %q", err, tc.want)
			}
		})
	}
}

// stage1Line is the encoded sampleStage1Epoch with old replaced by new (old must occur).
func stage1Line(t *testing.T, old, new string) string {
	t.Helper()
	b, err := encodeEvent(sampleStage1Epoch())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %s", b, old)
	}
	return strings.Replace(string(b), old, new, 1)
}

func TestReadEventsTruncatedAndCorrupt(t *testing.T) {
	evs := sampleEvents()[:3]
	var lines [][]byte
	for _, ev := range evs {
		b, err := encodeEvent(ev)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, b)
	}
	whole := append(bytes.Join(lines, []byte("\n")), '\n')
	half := lines[2][:len(lines[2])/2]

	t.Run("truncated tail", func(t *testing.T) {
		data := append(append([]byte{}, bytes.Join(lines[:2], []byte("\n"))...), '\n')
		data = append(data, half...)
		log, err := ParseLog("events.jsonl", data)
		if err != nil {
			t.Fatalf("truncated tail gave error: %v", err)
		}
		if len(log.Events) != 2 || !log.TruncatedTail {
			t.Errorf("got %d events, truncated=%v; want 2, true", len(log.Events), log.TruncatedTail)
		}
	})
	t.Run("complete", func(t *testing.T) {
		log, err := ParseLog("events.jsonl", whole)
		if err != nil || len(log.Events) != 3 || log.TruncatedTail {
			t.Errorf("got %d events, truncated=%v, err %v", len(log.Events), log.TruncatedTail, err)
		}
	})
	t.Run("corrupt middle", func(t *testing.T) {
		data := bytes.Join([][]byte{lines[0], half, lines[1], []byte(`{"time":"x"}`), lines[2]}, []byte("\n"))
		log, err := ParseLog("events.jsonl", data)
		var ce *CorruptLinesError
		if !errors.As(err, &ce) {
			t.Fatalf("err = %v, want *CorruptLinesError", err)
		}
		if !reflect.DeepEqual(ce.Lines, []int{2, 4}) {
			t.Errorf("corrupt lines %v, want [2 4]", ce.Lines)
		}
		if !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 4") {
			t.Errorf("error does not name the lines: %v", err)
		}
		if len(log.Events) != 3 {
			t.Errorf("good events kept: %d, want 3", len(log.Events))
		}
	})
}

func TestOpenCutsTruncatedLineAndAppends(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Events().Append(sampleEvents()[0]); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := Create(dir); !errors.Is(err, ErrRunExists) {
		t.Errorf("Create on a run with events: %v, want ErrRunExists", err)
	}
	// Simulate a kill in the middle of a write.
	f, _ := os.OpenFile(filepath.Join(dir, EventsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"epoch","ti`)
	f.Close()
	r, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Events().Append(sampleEvents()[6]); err != nil {
		t.Fatal(err)
	}
	r.Close()
	log, err := ReadLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Events) != 2 || log.TruncatedTail {
		t.Errorf("after resume: %d events, truncated=%v; want 2, false", len(log.Events), log.TruncatedTail)
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Error("Open of a folder without events.jsonl succeeded")
	}
}

func TestUnknownTypeKept(t *testing.T) {
	log, err := ParseLog("e", []byte(`{"type":"future_thing","time":"2026-01-28T10:44:38Z","x":1}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	u, ok := log.Events[0].(UnknownEvent)
	if !ok || u.Type != "future_thing" || !u.Time.Equal(t0) {
		t.Errorf("got %#v", log.Events[0])
	}
}

func TestLayout(t *testing.T) {
	loc := time.FixedZone("KST", 9*3600)
	if got, want := DefaultDir("logs", "exp1_baseline", time.Date(2026, 1, 28, 10, 44, 38, 0, loc)),
		filepath.Join("logs", "exp1_baseline_2026-01-28-10-44-38"); got != want {
		t.Errorf("DefaultDir = %s, want %s", got, want)
	}
	if got, want := ScoresPath("run", "test", "celebdf", 24), filepath.Join("run", "scores", "test_celebdf_ep24.csv"); got != want {
		t.Errorf("ScoresPath = %s, want %s", got, want)
	}
	if got, want := BestCheckpointName(24, 0.827, 0.816), "best_ep24_auc0.8270_acc0.8160.safetensors"; got != want {
		t.Errorf("BestCheckpointName = %s, want %s", got, want)
	}
}

func TestRunInfoAndConfig(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	yaml := []byte("seed: 42\n")
	if err := r.WriteConfig(yaml); err != nil {
		t.Fatal(err)
	}
	info := NewInfo("exp", "0.1.0", "go", 42, HashConfig(yaml))
	if err := r.WriteRunInfo(info); err != nil {
		t.Fatal(err)
	}
	got, err := ReadInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.GoVersion == "" || got.Seed != 42 || got.ConfigHash != HashConfig(yaml) || len(got.ConfigHash) != 16 ||
		!got.StartTime.Equal(info.StartTime) || len(got.CommandLine) == 0 {
		t.Errorf("run.json = %+v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, ConfigFile)); !bytes.Equal(b, yaml) {
		t.Errorf("config.yaml = %q", b)
	}
	for _, sub := range []string{ScoresDir, TBDir} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			t.Errorf("%s/ missing", sub)
		}
	}
	tb, err := r.TB()
	if err != nil || tb == nil || filepath.Dir(tb.Path()) != filepath.Join(dir, TBDir) {
		t.Errorf("TB() = %v, %v", tb, err)
	}
}

func TestValidateLog(t *testing.T) {
	dir := t.TempDir()
	r, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range sampleEvents() {
		r.Events().Append(ev)
	}
	r.Close()
	if err := ValidateLog(dir); err != nil {
		t.Errorf("ValidateLog: %v", err)
	}
	f, _ := os.OpenFile(filepath.Join(dir, EventsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"best","time":"2026-01-28T10:44:38Z","epoch":1,"metric":"auc","value":85.0,"checkpoint":""}` + "\n")
	f.Close()
	bad := fmt.Sprintf("line %d", len(sampleEvents())+1)
	if err := ValidateLog(dir); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("ValidateLog after a bad line = %v, want an error naming %s", err, bad)
	}
}

// TestOptionalFieldOmitted: an optional field (omitempty) is left out when empty and
// accepted when missing; present, it is written and checked.
func TestOptionalFieldOmitted(t *testing.T) {
	ev := EpochEvent{Epoch: 1}
	b, err := encodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "attention_entropy") {
		t.Errorf("empty optional field written: %s", b)
	}
	if err := ValidateEvent(b); err != nil {
		t.Errorf("event without the optional field rejected: %v", err)
	}
	ev.AttentionEntropy = []float64{0.5, 1.25}
	if b, err = encodeEvent(ev); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"attention_entropy":[0.5,1.25]`) {
		t.Errorf("optional field not written: %s", b)
	}
	if err := ValidateEvent(b); err != nil {
		t.Error(err)
	}
	ev.AttentionEntropy = []float64{-1}
	b, _ = encodeEvent(ev)
	if err := ValidateEvent(b); err == nil {
		t.Error("a negative entropy passed the check")
	}
}
