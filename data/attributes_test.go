package data

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func TestFairFaceMapping(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "fairface_label_train.csv")
	writeFile(t, csv, "file,age,gender,race,service_test\n"+
		"train/1.jpg,50-59,Male,East Asian,True\n"+
		"train/2.jpg,30-39,Female,Southeast Asian,False\n"+
		"train/3.jpg,3-9,Female,White,True\n"+
		"train/4.jpg,20-29,Male,Black,True\n"+
		"train/5.jpg,20-29,Male,Indian,True\n"+
		"train/6.jpg,20-29,Female,Middle Eastern,True\n"+
		"train/7.jpg,20-29,Female,Latino_Hispanic,True\n")
	ix, err := LoadAttributes(AttributeSource{Name: "fairface", Layout: LayoutFairFace, CSV: csv})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ gender, race, subgroup int }{
		{0, RaceAsian, 0}, {1, RaceAsian, 4}, {1, RaceWhite, 5}, {0, RaceBlack, 2},
		{0, RaceOther, 3}, {1, RaceOther, 7}, {1, RaceOther, 7},
	}
	if len(ix.Samples) != len(want) {
		t.Fatalf("%d samples, want %d", len(ix.Samples), len(want))
	}
	for i, w := range want {
		s := ix.Samples[i]
		if s.Gender != w.gender || s.Race != w.race || s.Subgroup != w.subgroup || s.Label != 0 || s.Row != i+1 {
			t.Errorf("row %d: %+v, want gender %d race %d subgroup %d", i+1, s, w.gender, w.race, w.subgroup)
		}
		if s.Path != filepath.Join(dir, "train", strings.TrimPrefix(s.Path, filepath.Join(dir, "train")+"/")) || s.Dataset != "fairface" {
			t.Errorf("row %d: path %s dataset %s", i+1, s.Path, s.Dataset)
		}
	}
}

func TestGenericAttributes(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "a.csv")
	writeFile(t, csv, "img_path,ismale,isasian,iswhite,isblack\n"+
		"x/1.png,1,1,-1,-1\n"+
		"x/2.png,-1,-1,-1,1\n"+
		"x/3.png,-1.0,-1,-1,-1\n"+
		"x/4.png,0,1,-1,-1\n"+ // unknown gender: skipped
		"x/5.png,1,-1,1,1\n") // white wins, as RaceFromFlags
	ix, err := LoadAttributes(AttributeSource{Name: "g", Layout: LayoutGeneric, CSV: csv, Root: filepath.Join(dir, "imgs")})
	if err != nil {
		t.Fatal(err)
	}
	got := []int{}
	for _, s := range ix.Samples {
		got = append(got, s.Subgroup)
	}
	if fmt.Sprint(got) != "[0 6 7 1]" || ix.SkippedUnknown != 1 {
		t.Errorf("subgroups %v, skipped %d; want [0 6 7 1], 1", got, ix.SkippedUnknown)
	}
	if ix.Samples[0].Path != filepath.Join(dir, "imgs", "x", "1.png") {
		t.Errorf("path %s", ix.Samples[0].Path)
	}
}

func TestAttributeErrorsNameFileAndRow(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, layout, content, want string
		row                         int
	}{
		{"race", LayoutFairFace, "file,age,gender,race\na.jpg,1,Male,White\nb.jpg,1,Male,Martian\n", `race "Martian"`, 2},
		{"gender", LayoutFairFace, "file,age,gender,race\na.jpg,1,M,White\n", `gender "M"`, 1},
		{"column", LayoutFairFace, "file,age,sex,race\na.jpg,1,Male,White\n", `missing column "gender"`, 0},
		{"escape", LayoutFairFace, "file,age,gender,race\n../a.jpg,1,Male,White\n", "escapes", 1},
		{"flag", LayoutGeneric, "img_path,ismale,isasian,iswhite,isblack\na.png,1,1,-1,-1\nb.png,yes,1,-1,-1\n", `ismale "yes"`, 2},
	} {
		csv := filepath.Join(dir, tc.name+".csv")
		writeFile(t, csv, tc.content)
		_, err := LoadAttributes(AttributeSource{Name: tc.name, Layout: tc.layout, CSV: csv})
		var ie *IndexError
		if !errors.As(err, &ie) || !errors.Is(err, ErrIndex) {
			t.Errorf("%s: error %v, want an IndexError", tc.name, err)
			continue
		}
		if ie.File != csv || ie.Row != tc.row || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (file %s row %d), want row %d mentioning %s", tc.name, err, ie.File, ie.Row, tc.row, tc.want)
		}
	}
	if _, err := LoadAttributes(AttributeSource{Name: "x", Layout: "celeba", CSV: "a.csv"}); err == nil {
		t.Error("unknown layout accepted")
	}
	if _, err := LoadAttributes(AttributeSource{Name: "x", Layout: LayoutFairFace, CSV: filepath.Join(dir, "missing.csv")}); err == nil {
		t.Error("missing CSV accepted")
	}
}

func TestUTKFace(t *testing.T) {
	for _, tc := range []struct {
		name         string
		gender, race int
		ok, wantErr  bool
	}{
		{"25_0_0_20170116174525125.jpg.chip.jpg", GenderMale, RaceWhite, true, false},
		{"25_1_1_20170116174525125.jpg", GenderFemale, RaceBlack, true, false},
		{"3_0_2_20161219140525218.jpg", GenderMale, RaceAsian, true, false},
		{"40_1_3_2017.jpg", GenderFemale, RaceOther, true, false},
		{"40_0_4_2017.jpg", GenderMale, RaceOther, true, false},
		{"39_1_20170116174525125.jpg.chip.jpg", 0, 0, false, false}, // race missing (UTKFace has these)
		{"40_2_1_2017.jpg", 0, 0, true, true},
		{"40_0_5_2017.jpg", 0, 0, true, true},
	} {
		g, r, ok, err := ParseUTKFaceName("part1/" + tc.name)
		if ok != tc.ok || (err != nil) != tc.wantErr || (err == nil && ok && (g != tc.gender || r != tc.race)) {
			t.Errorf("%s: gender %d race %d ok %v err %v", tc.name, g, r, ok, err)
		}
	}
	dir := t.TempDir()
	for _, n := range []string{"part2/30_1_2_x.jpg", "part1/20_0_0_x.jpg", "part1/notes.txt", "part1/39_1_x.jpg"} {
		writeFile(t, filepath.Join(dir, n), "")
	}
	ix, err := LoadAttributes(AttributeSource{Name: "utkface", Layout: LayoutUTKFace, Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Samples) != 2 || ix.SkippedUnknown != 1 || ix.Samples[0].Subgroup != 1 || ix.Samples[1].Subgroup != 4 {
		t.Errorf("samples %+v skipped %d", ix.Samples, ix.SkippedUnknown)
	}
	writeFile(t, filepath.Join(dir, "part3", "30_7_2_x.jpg"), "")
	_, err = LoadAttributes(AttributeSource{Name: "utkface", Layout: LayoutUTKFace, Root: dir})
	if err == nil || !strings.Contains(err.Error(), "30_7_2_x.jpg") {
		t.Errorf("bad gender code: %v", err)
	}
}
