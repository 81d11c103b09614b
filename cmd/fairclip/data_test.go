package main

import (
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dataTree writes a fairness root with one ff++ val split: two readable
// images and one row whose image is missing.
func dataTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "ff++", "img"), 0o755))
	for _, name := range []string{"a_v1_0.png", "b_v2_0.png"} {
		f, err := os.Create(filepath.Join(root, "ff++", "img", name))
		must(err)
		must(png.Encode(f, image.NewGray(image.Rect(0, 0, 2, 2))))
		must(f.Close())
	}
	header := "img_path,label,ismale,isasian,iswhite,isblack,intersec_label\n"
	must(os.WriteFile(filepath.Join(root, "ff++", "realval.csv"), []byte(header+
		"ff++/img/a_v1_0.png,0,1,1,-1,-1,0\nff++/img/b_v2_0.png,0,-1,-1,1,-1,5\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "ff++", "fakeval.csv"), []byte(header+
		"ff++/img/gone_v3_0.png,1,1,-1,-1,1,2\n"), 0o644))
	return root
}

func TestDataStats(t *testing.T) {
	root := dataTree(t)
	code, out, errOut := runCLI(t, "data", "stats", "--root", root)
	if code != 1 || !strings.Contains(out, "0.6667") || !strings.Contains(out, "gone_v3_0.png") || !strings.Contains(errOut, "1 missing or unreadable") {
		t.Fatalf("code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "data", "stats", "--root", root, "--json", "--check-images")
	if code != 1 {
		t.Fatalf("--json: code %d", code)
	}
	var st struct {
		Check  string `json:"check"`
		Groups []struct {
			Dataset       string  `json:"dataset"`
			Split         string  `json:"split"`
			Samples       int     `json:"samples"`
			MajorityShare float64 `json:"majority_share"`
			Missing       int     `json:"missing"`
		} `json:"groups"`
		Bad []struct {
			CSV string `json:"csv"`
			Row int    `json:"row"`
		} `json:"bad"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	g := st.Groups[0]
	if st.Check != "decode" || g.Dataset != "ff++" || g.Split != "val" || g.Samples != 3 || g.Missing != 1 ||
		len(st.Bad) != 1 || st.Bad[0].Row != 1 || !strings.HasSuffix(st.Bad[0].CSV, "fakeval.csv") {
		t.Fatalf("stats %+v", st)
	}
	// Config mode: ff++ for every role; train and test reuse the val rows.
	for _, f := range []string{"realtrain", "faketrain", "test"} {
		b, _ := os.ReadFile(filepath.Join(root, "ff++", "realval.csv"))
		os.WriteFile(filepath.Join(root, "ff++", f+".csv"), b, 0o644)
	}
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, []byte("dataset:\n  fairness_root: "+root+"\n  train_dataset: [ff++]\n  validation_dataset: [ff++]\n  test_dataset: [ff++]\nevaluation:\n  test_datasets: [ff++]\n"), 0o644)
	code, out, errOut = runCLI(t, "data", "stats", "--config", cfg)
	if code != 1 || strings.Count(out, "ff++") < 6 {
		t.Fatalf("--config: code %d\n%s\n%s", code, out, errOut)
	}
}

func TestDataStatsBadInput(t *testing.T) {
	root := dataTree(t)
	os.WriteFile(filepath.Join(root, "ff++", "test.csv"), []byte("img_path,label\nx.png,0\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"data", "stats"}, "exactly one of --config"},
		{[]string{"data", "stats", "--root", root, "--config", "x.yaml"}, "exactly one of --config"},
		{[]string{"data", "stats", "--root", filepath.Join(root, "none")}, "no such file"},
		{[]string{"data", "stats", "--root", root}, `missing column "ismale"`},
		{[]string{"data", "stats", "--config", filepath.Join(root, "none.yaml")}, "none.yaml"},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: code %d, stderr %q, want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestSynthBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"synth"}, "--out DIR is required"},
		{[]string{"synth", "--out", t.TempDir(), "--scale", "huge"}, `unknown scale "huge"`},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: code %d, stderr %q", tc.args, code, errOut)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("x"), 0o644)
	if code, _, errOut := runCLI(t, "synth", "--out", dir); code != 2 || !strings.Contains(errOut, "already holds a dataset") {
		t.Errorf("existing dataset: code %d %q", code, errOut)
	}
}
