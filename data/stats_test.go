package data

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/config"
)

// statsTree writes a small fairness root: ff++ with train and val files and
// dfd with a test file; some images exist, one is corrupt, others are missing.
func statsTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"img/r_a_0.png", "img/f_a_0.png", "img/v_b_0.png", "img/v_c_0.png"} {
		writeFile(t, filepath.Join(root, p), buf.String())
	}
	writeFile(t, filepath.Join(root, "img/corrupt_x_0.png"), "not a png")
	writeFile(t, filepath.Join(root, "ff++/realtrain.csv"), csvHeader+
		"img/r_a_0.png,0,1,1,-1,-1,0,0\n"+
		"img/missing_a_1.png,0,0,1,-1,-1,0,0\n")
	writeFile(t, filepath.Join(root, "ff++/faketrain.csv"), csvHeader+
		"img/f_a_0.png,1,-1,-1,1,-1,5,1\n")
	writeFile(t, filepath.Join(root, "ff++/realval.csv"), csvHeader+
		"img/v_b_0.png,0,1,-1,-1,1,2,0\n"+
		"img/v_c_0.png,0,1,-1,-1,1,2,0\n"+
		"img/corrupt_x_0.png,0,1,-1,-1,1,2,0\n")
	writeFile(t, filepath.Join(root, "ff++/fakeval.csv"), csvHeader+
		"img/gone_y_0.png,1,-1,-1,-1,-1,7,3\n")
	writeFile(t, filepath.Join(root, "dfd/test.csv"), csvHeader+
		"img/v_b_0.png,1,-1,1,-1,-1,4,0\n")
	return root
}

func TestComputeStatsFromRoot(t *testing.T) {
	root := statsTree(t)
	sources, err := SourcesFromRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 5 || sources[0].Dataset != "dfd" || sources[1].Path != filepath.Join(root, "ff++/realtrain.csv") {
		t.Fatalf("sources %+v", sources)
	}
	for _, decode := range []bool{false, true} {
		st, err := ComputeStats(context.Background(), sources, StatsOptions{IndexOptions: IndexOptions{Root: root}, CheckImages: decode, Workers: 3})
		if err != nil {
			t.Fatal(err)
		}
		if st.Samples != 8 || len(st.Groups) != 3 {
			t.Fatalf("%d samples %d groups", st.Samples, len(st.Groups))
		}
		train, val := st.Groups[1], st.Groups[2]
		if train.Dataset != "ff++" || train.Role != "train" || train.Real != 2 || train.Fake != 1 ||
			train.Unknown.Real != 1 || train.UnknownGender != 1 || train.Subgroups[0].Real != 1 || train.Subgroups[5].Fake != 1 {
			t.Errorf("train %+v", train)
		}
		if val.Samples != 4 || val.MajorityShare != 0.75 || val.Subgroups[2].Real != 3 || val.Subgroups[7].Fake != 1 {
			t.Errorf("val %+v", val)
		}
		wantMissing, wantUnreadable := 1, 0
		if decode {
			wantUnreadable = 1
		}
		if train.Missing != 1 || val.Missing != wantMissing || val.Unreadable != wantUnreadable {
			t.Errorf("decode=%v: train missing %d, val missing %d unreadable %d", decode, train.Missing, val.Missing, val.Unreadable)
		}
		if len(st.Bad) != 2+wantUnreadable {
			t.Fatalf("bad %+v", st.Bad)
		}
		var text bytes.Buffer
		if err := st.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"0.7500", "missing_a_1.png (" + filepath.Join(root, "ff++/realtrain.csv") + " row 2)", "female-other"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("text lacks %q:\n%s", want, text.String())
			}
		}
		if decode && !strings.Contains(text.String(), "corrupt_x_0.png") {
			t.Errorf("text lacks the corrupt file:\n%s", text.String())
		}
	}
	st, err := ComputeStats(context.Background(), sources, StatsOptions{IndexOptions: IndexOptions{Root: root, SkipUnknownAttributes: true}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Groups[1].SkippedUnknown != 1 || st.Groups[1].Samples != 2 {
		t.Errorf("skip unknown: %+v", st.Groups[1])
	}
}

func TestSourcesFromConfig(t *testing.T) {
	c := config.Default()
	c.Dataset.FairnessRoot = "/r"
	c.Dataset.TrainDataset = []string{"ff++"}
	c.Dataset.ValidationDataset = []string{"ff++"}
	c.Dataset.TestDataset = []string{"celebdf"}
	c.Evaluation.TestDatasets = []string{"celebdf", "dfd"}
	got, err := SourcesFromConfig(c)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, s := range got {
		paths = append(paths, s.Role+":"+s.Path)
	}
	want := "train:/r/ff++/faketrain.csv train:/r/ff++/realtrain.csv val:/r/ff++/fakeval.csv val:/r/ff++/realval.csv test:/r/celebdf/test.csv test:/r/dfd/test.csv"
	if strings.Join(paths, " ") != want {
		t.Fatalf("got %v\nwant %s", paths, want)
	}
	c.Dataset.TrainDataset, c.Dataset.ValidationDataset, c.Dataset.TestDataset, c.Evaluation.TestDatasets = nil, nil, nil, nil
	if _, err := SourcesFromConfig(c); err == nil {
		t.Error("empty config accepted")
	}
}

func TestComputeStatsErrors(t *testing.T) {
	root := statsTree(t)
	if _, err := SourcesFromRoot(filepath.Join(root, "img")); err == nil || !strings.Contains(err.Error(), "no PG-FDD CSV") {
		t.Errorf("root without CSVs: %v", err)
	}
	if _, err := SourcesFromRoot(filepath.Join(root, "nope")); err == nil {
		t.Error("missing root accepted")
	}
	missing := []StatsSource{{Dataset: "x", Role: "test", Path: filepath.Join(root, "x/test.csv")}}
	if _, err := ComputeStats(context.Background(), missing, StatsOptions{}); !errors.Is(err, ErrIndex) {
		t.Errorf("missing CSV: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sources, _ := SourcesFromRoot(root)
	if _, err := ComputeStats(ctx, sources, StatsOptions{IndexOptions: IndexOptions{Root: root}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestBadImagePolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want BadImagePolicy
		ok   bool
	}{{"", BadImageFail, true}, {"fail", BadImageFail, true}, {"skip", BadImageSkip, true}, {"ignore", "", false}} {
		got, err := ParseBadImagePolicy(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("%q: %q %v", tc.in, got, err)
		}
	}
	samples := []Sample{{Path: "a", CSV: "x.csv", Row: 1}, {Path: "b", CSV: "x.csv", Row: 2}, {Path: "c", CSV: "x.csv", Row: 3}}
	bad := []BadSample{{Sample: samples[2], Err: os.ErrNotExist}, {Sample: samples[1], Err: errors.New("truncated")}}
	kept, err := ApplyBadImagePolicy(samples, bad, BadImageSkip)
	if err != nil || len(kept) != 1 || kept[0].Path != "a" {
		t.Fatalf("skip: %v %v", kept, err)
	}
	_, err = ApplyBadImagePolicy(samples, bad, BadImageFail)
	var be *BadSampleError
	if !errors.As(err, &be) || be.Bad.Sample.Row != 2 || !strings.Contains(err.Error(), "x.csv row 2") || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("fail: %v", err)
	}
	if _, err := ApplyBadImagePolicy(samples, bad, "other"); err == nil {
		t.Error("unknown policy accepted")
	}
	if kept, err := ApplyBadImagePolicy(samples, nil, BadImageFail); err != nil || len(kept) != 3 {
		t.Errorf("no bad samples: %v %v", kept, err)
	}
}
