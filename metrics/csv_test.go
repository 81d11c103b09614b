package metrics

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadScoresErrors(t *testing.T) {
	cases := []struct {
		name, csv, want string
	}{
		{"missing column", "score,label\n0.5,1\n", `line 1 column "group": missing column "group"`},
		{"unknown column", "score,label,group,vidoe\n0.5,1,0,a\n", `unknown column "vidoe"`},
		{"non-numeric score", "score,label,group\n0.5,1,0\nabc,0,1\n", `line 3 row 2 column "score": score "abc" is not a number`},
		{"NaN score", "score,label,group\nNaN,1,0\n", `row 1 column "score": score NaN is not a finite number`},
		{"score above 1", "score,label,group\n0.2,0,0\n0.1,1,0\n1.5,1,0\n", `line 4 row 3 column "score": score 1.5 is outside [0, 1]`},
		{"negative score", "score,label,group\n-0.1,1,0\n", "outside [0, 1]"},
		{"label 2", "score,label,group\n0.5,2,0\n", `row 1 column "label": label "2" is not 0 (real) or 1 (fake)`},
		{"unknown group", "score,label,group\n0.5,1,male-martian\n", `row 1 column "group": unknown subgroup "male-martian"`},
		{"group id 8", "score,label,group\n0.5,1,8\n", "out of range"},
		{"short row", "score,label,group\n0.5,1\n", "2 fields, header has 3"},
		{"empty", "", "empty file"},
		{"header only", "score,label,group\n", "no data rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadScores(strings.NewReader(c.csv), "s.csv")
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v does not match ErrBadInput", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "s.csv") {
				t.Errorf("error %q, want it to start with s.csv and contain %q", err, c.want)
			}
		})
	}
}

func TestReadScoresColumns(t *testing.T) {
	csv := "path,group,label,score,video\n" +
		"a.png,male-asian,1,0.9,v1\n" +
		"b.png,nonmale-other,0,0.1,v1\n" +
		"c.png,,0,0.25,\n" +
		"d.png,-1,1,1,v2\n" +
		"e.png,5,0,0,v2\n"
	in, err := ReadScores(strings.NewReader(csv), "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	wantGroups := []int{0, 7, -1, -1, 5}
	wantScores := []float64{0.9, 0.1, 0.25, 1, 0}
	for i := range wantGroups {
		if in.Groups[i] != wantGroups[i] || in.Scores[i] != wantScores[i] {
			t.Errorf("row %d: group %d score %v, want %d %v", i+1, in.Groups[i], in.Scores[i], wantGroups[i], wantScores[i])
		}
	}
	if len(in.Videos) != 5 || in.Paths[4] != "e.png" || in.Labels[0] != 1 {
		t.Errorf("videos %v paths %v labels %v", in.Videos, in.Paths, in.Labels)
	}
}

func TestReadScoresCSVFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scores.csv")
	if err := os.WriteFile(path, []byte("score,label,group\n0.7,1,female-white\n0.2,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := ReadScoresCSV(path)
	if err != nil || in.Len() != 2 || in.Groups[0] != 5 || in.Videos != nil || in.Paths != nil {
		t.Fatalf("ReadScoresCSV = %+v, %v", in, err)
	}
	if _, err := ReadScoresCSV(filepath.Join(t.TempDir(), "none.csv")); err == nil {
		t.Error("missing file: no error")
	}
}

func FuzzReadScores(f *testing.F) {
	f.Add("score,label,group\n0.5,1,male-asian\n")
	f.Add("score,label,group,video,path\n0.1,0,-1,v,p\n0.9,1,7,v,q\n")
	f.Add("group,score,label\n,1e-3,0\n")
	f.Fuzz(func(t *testing.T, data string) {
		in, err := ReadScores(strings.NewReader(data), "fuzz.csv")
		if err != nil {
			if !errors.Is(err, ErrBadInput) {
				t.Fatalf("error %v is not ErrBadInput", err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("accepted input fails validation: %v", err)
		}
		if _, err := Evaluate(in, Options{}); err != nil && !errors.Is(err, ErrBadInput) {
			t.Fatalf("Evaluate: %v", err)
		}
	})
}
