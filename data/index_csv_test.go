package data

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const csvHeader = "img_path,label,ismale,isasian,iswhite,isblack,intersec_label,spe_label\n"

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFairnessCSV(t *testing.T) {
	root := t.TempDir()
	path := writeFile(t, filepath.Join(root, "ff++", "test.csv"), csvHeader+
		"ff++/real/frame_000_0001.png,0,1,1,-1,-1,0,0\n"+ // male asian
		"ff++/fake/df_012_034_0007.png,1,-1,-1,1,-1,5,1\n"+ // female white
		"ff++/fake/x_vid_3.png,1.0,1,-1,-1,1,2,2\n"+ // male black, pandas float label
		"ff++/real/a_b_c.png,0,-1,-1,-1,-1,7,0\n"+ // female other
		"ff++/real/a_b.png,0,0,1,-1,-1,-1,0\n"+ // gender unknown
		"ff++/real/single.png,0,1,1,1,-1,0,0\n"+ // asian wins over white
		"ff++/real/p_q_r.png,0,1,-1,1,1,1,0\n"+ // white wins over black
		"ff++/real/u_v_w.png,0,1,-1,-1,,-1,0\n") // race unknown (empty flag)
	ix, err := ReadFairnessCSV(path, "ff++", "test", IndexOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		label, gender, race, subgroup int
		video, manip                  string
	}
	wants := []want{
		{0, GenderMale, RaceAsian, 0, "000", "0"},
		{1, GenderFemale, RaceWhite, 5, "012_034", "1"},
		{1, GenderMale, RaceBlack, 2, "vid", "2"},
		{0, GenderFemale, RaceOther, 7, "b", "0"},
		{0, GenderUnknown, RaceAsian, -1, "", "0"},
		{0, GenderMale, RaceAsian, 0, "single.png", "0"},
		{0, GenderMale, RaceWhite, 1, "q", "0"},
		{0, GenderMale, RaceUnknown, -1, "v", "0"},
	}
	if len(ix.Samples) != len(wants) {
		t.Fatalf("%d samples, want %d", len(ix.Samples), len(wants))
	}
	for i, w := range wants {
		s := ix.Samples[i]
		got := want{s.Label, s.Gender, s.Race, s.Subgroup, s.Video, s.Manipulation}
		if got != w {
			t.Errorf("row %d: got %+v, want %+v", i+1, got, w)
		}
		if s.Row != i+1 || s.CSV != path || s.Dataset != "ff++" || s.Split != "test" {
			t.Errorf("row %d: provenance %d %s %s %s", i+1, s.Row, s.CSV, s.Dataset, s.Split)
		}
	}
	if want := filepath.Join(root, "ff++/real/frame_000_0001.png"); ix.Samples[0].Path != want {
		t.Errorf("path %s, want %s", ix.Samples[0].Path, want)
	}

	skipped, err := ReadFairnessCSV(path, "ff++", "test", IndexOptions{Root: root, SkipUnknownAttributes: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped.Samples) != 6 || skipped.SkippedUnknown != 2 {
		t.Errorf("skip unknown: %d samples, %d skipped; want 6 and 2", len(skipped.Samples), skipped.SkippedUnknown)
	}
}

func TestReadFairnessCSVColumnsAnyOrderBOMAndNoSpe(t *testing.T) {
	root := t.TempDir()
	path := writeFile(t, filepath.Join(root, "x.csv"),
		"\ufeff,isblack,iswhite,isasian,ismale,label,img_path,intersec_label\n"+
			"0,1,-1,-1,-1,1,d/f_v_1.png,6\n")
	ix, err := ReadFairnessCSV(path, "dfd", "test", IndexOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	s := ix.Samples[0]
	if s.Subgroup != 6 || s.Label != 1 || s.Manipulation != "" || s.Video != "v" {
		t.Fatalf("got %+v", s)
	}
}

func TestReadFairnessCSVErrors(t *testing.T) {
	tests := []struct {
		name, content string
		wantRow       int
		want          string
	}{
		{"empty file", "", 0, "empty file"},
		{"missing column", "img_path,label,ismale,isasian,iswhite,intersec_label\na.png,0,1,1,-1,0\n", 0, `missing column "isblack"`},
		{"label 2", csvHeader + "a_b_c.png,0,1,1,-1,-1,0,0\na_b_c.png,2,1,1,-1,-1,0,0\n", 2, `label "2": want 0 or 1`},
		{"label empty", csvHeader + "a_b_c.png,,1,1,-1,-1,0,0\n", 1, `label "": want 0 or 1`},
		{"label text", csvHeader + "a_b_c.png,fake,1,1,-1,-1,0,0\n", 1, `label "fake"`},
		{"label fraction", csvHeader + "a_b_c.png,0.5,1,1,-1,-1,0,0\n", 1, `label "0.5"`},
		{"bad flag", csvHeader + "a_b_c.png,0,yes,1,-1,-1,0,0\n", 1, `ismale "yes": not an integer`},
		{"escaping path", csvHeader + "ok_a_b.png,0,1,1,-1,-1,0,0\n../secret_a_b.png,0,1,1,-1,-1,0,0\n", 2, "escapes fairness_root"},
		{"absolute path outside", csvHeader + "/etc/passwd,0,1,1,-1,-1,0,0\n", 1, "escapes fairness_root"},
		{"empty path", csvHeader + ",0,1,1,-1,-1,0,0\n", 1, "empty image path"},
		{"ragged row", csvHeader + "a_b_c.png,0,1,1,-1,-1,0,0\na_b_c.png,0,1\n", 2, "wrong number of fields"},
		{"bad quote", csvHeader + "\"a_b_c.png,0,1,1,-1,-1,0,0\n", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := writeFile(t, filepath.Join(root, "d", "test.csv"), tc.content)
			_, err := ReadFairnessCSV(path, "d", "test", IndexOptions{Root: root})
			if err == nil {
				t.Fatal("no error")
			}
			var ie *IndexError
			if !errors.As(err, &ie) || !errors.Is(err, ErrIndex) {
				t.Fatalf("error %v is not an IndexError", err)
			}
			if ie.File != path || ie.Row != tc.wantRow {
				t.Errorf("error names %s row %d, want %s row %d", ie.File, ie.Row, path, tc.wantRow)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q or the file name", err, tc.want)
			}
		})
	}
}

func TestReadFairnessCSVMissingFile(t *testing.T) {
	_, err := ReadFairnessCSV(filepath.Join(t.TempDir(), "nope.csv"), "d", "test", IndexOptions{})
	if !errors.Is(err, ErrIndex) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.csv") {
		t.Fatalf("err = %v", err)
	}
}

func TestResolveImagePathInsideAbsolute(t *testing.T) {
	root := t.TempDir()
	got, err := resolveImagePath(root, filepath.Join(root, "a", "b.png"))
	if err != nil || got != filepath.Join(root, "a", "b.png") {
		t.Fatalf("got %q %v", got, err)
	}
}

func TestLoadFairness(t *testing.T) {
	root := t.TempDir()
	row := "ff++/x_v_0.png,%s,1,1,-1,-1,0,0\n"
	for _, f := range []string{"faketrain", "realtrain", "fakeval", "realval", "test"} {
		label := "0"
		if strings.HasPrefix(f, "fake") {
			label = "1"
		}
		writeFile(t, filepath.Join(root, "ff++", f+".csv"), csvHeader+strings.ReplaceAll(row, "%s", label))
	}
	writeFile(t, filepath.Join(root, "dfd", "test.csv"), csvHeader+strings.ReplaceAll(row, "%s", "1"))
	tests := []struct {
		datasets []string
		mode     string
		wantFile []string
		wantErr  string
	}{
		{[]string{"ff++"}, ModeTrain, []string{"ff++/faketrain.csv", "ff++/realtrain.csv"}, ""},
		{[]string{"ff++"}, ModeValidation, []string{"ff++/fakeval.csv", "ff++/realval.csv"}, ""},
		{[]string{"ff++", "dfd"}, ModeTest, []string{"ff++/test.csv", "dfd/test.csv"}, ""},
		{[]string{"dfd"}, ModeTrain, []string{"dfd/test.csv"}, ""},
		{[]string{"celebdf"}, ModeTest, nil, "celebdf/test.csv"},
		{[]string{"ff++"}, "bogus", nil, `unknown mode "bogus"`},
		{nil, ModeTest, nil, "no dataset"},
	}
	for _, tc := range tests {
		ix, err := LoadFairness(tc.datasets, tc.mode, IndexOptions{Root: root})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%v %s: err %v, want %q", tc.datasets, tc.mode, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, f := range ix.Files {
			rel, _ := filepath.Rel(root, f)
			files = append(files, filepath.ToSlash(rel))
		}
		if !reflect.DeepEqual(files, tc.wantFile) || len(ix.Samples) != len(tc.wantFile) {
			t.Errorf("%v %s: files %v (%d samples), want %v", tc.datasets, tc.mode, files, len(ix.Samples), tc.wantFile)
		}
	}
}

func TestAttributeMapping(t *testing.T) {
	tests := []struct {
		male, asian, white, black int
		wantGender, wantRace      int
		wantSubgroup              int
	}{
		{1, 1, -1, -1, GenderMale, RaceAsian, 0},
		{1, -1, 1, -1, GenderMale, RaceWhite, 1},
		{1, -1, -1, 1, GenderMale, RaceBlack, 2},
		{1, -1, -1, -1, GenderMale, RaceOther, 3},
		{-1, 1, -1, -1, GenderFemale, RaceAsian, 4},
		{-1, -1, -1, -1, GenderFemale, RaceOther, 7},
		{0, 1, -1, -1, GenderUnknown, RaceAsian, -1},
		{-1, 0, -1, -1, GenderFemale, RaceUnknown, -1},
		{2, -1, -1, 1, GenderUnknown, RaceBlack, -1},
	}
	for _, tc := range tests {
		g, r := GenderFromFlag(tc.male), RaceFromFlags(tc.asian, tc.white, tc.black)
		if g != tc.wantGender || r != tc.wantRace || SubgroupOf(g, r) != tc.wantSubgroup {
			t.Errorf("%+v: got %d %d %d", tc, g, r, SubgroupOf(g, r))
		}
	}
	if SubgroupName(5) != "female-white" || SubgroupName(-1) != "unknown" {
		t.Error("subgroup names")
	}
}
