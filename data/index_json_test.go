package data

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const dfbJSON = `{
 "FaceForensics++": {
  "FF-real": {"train": {"c23": {"000": {"label": "FF-real", "frames": ["rgb/real/000/001.png", "rgb/real/000/000.png"]}}},
              "test": {"c23": {"001": {"label": "FF-real", "frames": ["rgb/real/001/000.png"]}}}},
  "FF-DF": {"train": {"c23": {"000_003": {"label": "FF-DF", "frames": ["rgb/df/000_003/000.png"]}},
                      "c40": {"000_003": {"label": "FF-DF", "frames": ["rgb/df40/000_003/000.png"]}}}},
  "My-Fake": {"train": {"c23": {"9": {"label": "My-Fake", "frames": ["rgb/my/9/000.png"]}}}}
 }
}`

func TestReadDeepfakeBenchJSON(t *testing.T) {
	root := t.TempDir()
	path := writeFile(t, filepath.Join(root, "ff.json"), dfbJSON)
	demo := writeFile(t, filepath.Join(root, "demo.csv"), "img_path,ismale,isasian,iswhite,isblack\n"+
		"rgb/real/000/000.png,-1,-1,-1,1\n"+
		"./rgb/df/000_003/000.png,1,-1,1,-1\n")
	opts := JSONOptions{IndexOptions: IndexOptions{Root: root}, Split: "train", Demographics: demo,
		LabelNames: map[string]int{"My-Fake": 1}}
	ix, err := ReadDeepfakeBenchJSON(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		path, video, manip   string
		label, subgroup, row int
	}
	want := []got{
		{"rgb/df/000_003/000.png", "FF-DF_000_003", "FF-DF", 1, 1, 1},
		{"rgb/real/000/001.png", "FF-real_000", "FF-real", 0, -1, 2},
		{"rgb/real/000/000.png", "FF-real_000", "FF-real", 0, 6, 3},
		{"rgb/my/9/000.png", "My-Fake_9", "My-Fake", 1, -1, 4},
	}
	if len(ix.Samples) != len(want) {
		t.Fatalf("%d samples, want %d: %+v", len(ix.Samples), len(want), ix.Samples)
	}
	for i, w := range want {
		s := ix.Samples[i]
		g := got{s.Path, s.Video, s.Manipulation, s.Label, s.Subgroup, s.Row}
		w.path = filepath.Join(root, w.path)
		if g != w {
			t.Errorf("sample %d: got %+v, want %+v", i, g, w)
		}
		if s.Dataset != "FaceForensics++" || s.Split != "train" || s.CSV != path {
			t.Errorf("sample %d provenance %+v", i, s)
		}
	}

	opts.SkipUnknownAttributes = true
	ix, err = ReadDeepfakeBenchJSON(path, opts)
	if err != nil || len(ix.Samples) != 2 || ix.SkippedUnknown != 2 {
		t.Fatalf("skip unknown: %d samples %d skipped, err %v", len(ix.Samples), ix.SkippedUnknown, err)
	}

	opts = JSONOptions{IndexOptions: IndexOptions{Root: root}, Split: "train", Compression: "c40", LabelNames: map[string]int{"My-Fake": 1}}
	if _, err := ReadDeepfakeBenchJSON(path, opts); err == nil || !strings.Contains(err.Error(), `no compression level "c40"`) {
		t.Fatalf("c40 on a label lacking it: err %v", err)
	}
}

func TestReadDeepfakeBenchJSONNoCompressionLevel(t *testing.T) {
	root := t.TempDir()
	path := writeFile(t, filepath.Join(root, "celeb.json"), `{"Celeb-DF-v2": {"CelebDFv2_fake": {"test": {"id0_id1_0000": {"label": "CelebDFv2_fake", "frames": ["a/000.png", "a/001.png"]}}}}}`)
	ix, err := ReadDeepfakeBenchJSON(path, JSONOptions{IndexOptions: IndexOptions{Root: root}, Split: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Samples) != 2 || ix.Samples[0].Label != 1 || ix.Samples[0].Video != "CelebDFv2_fake_id0_id1_0000" {
		t.Fatalf("got %+v", ix.Samples)
	}
}

func TestReadDeepfakeBenchJSONErrors(t *testing.T) {
	tests := []struct {
		name, json, demo string
		opts             JSONOptions
		wantRow          int
		want             string
	}{
		{"not json", `{`, "", JSONOptions{Split: "test"}, 0, "want dataset -> label"},
		{"two datasets", `{"a": {}, "b": {}}`, "", JSONOptions{Split: "test"}, 0, "2 datasets [a b]: name one"},
		{"no such dataset", `{"a": {}}`, "", JSONOptions{Dataset: "z", Split: "test"}, 0, `no dataset "z"`},
		{"unknown label", `{"a": {"X": {"test": {"v": {"label": "X", "frames": ["f.png"]}}}}}`, "", JSONOptions{Split: "test"}, 0, `label name "X" not in the label table`},
		{"label maps to 3", `{"a": {"X": {"test": {"v": {"label": "X", "frames": ["f.png"]}}}}}`, "", JSONOptions{Split: "test", LabelNames: map[string]int{"X": 3}}, 0, "maps to 3"},
		{"escaping frame", `{"a": {"FF-real": {"test": {"v": {"label": "FF-real", "frames": ["ok.png", "../../x.png"]}}}}}`, "", JSONOptions{Split: "test"}, 2, "escapes fairness_root"},
		{"no frames", `{"a": {"FF-real": {"train": {"v": {"label": "FF-real", "frames": ["f.png"]}}}}}`, "", JSONOptions{Split: "test"}, 0, `no frames for dataset "a" split "test"`},
		{"bad video node", `{"a": {"FF-real": {"test": {"v": 3}}}}`, "", JSONOptions{Split: "test"}, 0, "want video -> {label, frames}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := writeFile(t, filepath.Join(root, "x.json"), tc.json)
			tc.opts.Root = root
			_, err := ReadDeepfakeBenchJSON(path, tc.opts)
			var ie *IndexError
			if !errors.As(err, &ie) {
				t.Fatalf("err %v is not an IndexError", err)
			}
			if ie.File != path || ie.Row != tc.wantRow || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %q (file %s row %d), want %q at row %d", err, ie.File, ie.Row, tc.want, tc.wantRow)
			}
		})
	}
}

func TestReadDeepfakeBenchJSONDemographicErrors(t *testing.T) {
	root := t.TempDir()
	path := writeFile(t, filepath.Join(root, "x.json"), `{"a": {"FF-real": {"test": {"v": {"label": "FF-real", "frames": ["f.png"]}}}}}`)
	tests := []struct {
		name, demo string
		wantRow    int
		want       string
	}{
		{"missing file", "", 0, "open demographics"},
		{"missing column", "img_path,ismale,isasian,iswhite\nf.png,1,1,-1\n", 0, `missing column "isblack"`},
		{"bad flag", "img_path,ismale,isasian,iswhite,isblack\nf.png,1,1,-1,-1\ng.png,m,1,-1,-1\n", 2, `ismale "m"`},
		{"duplicate", "img_path,ismale,isasian,iswhite,isblack\nf.png,1,1,-1,-1\n./f.png,1,1,-1,-1\n", 2, "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			demo := filepath.Join(root, tc.name+".csv")
			if tc.demo != "" {
				writeFile(t, demo, tc.demo)
			}
			_, err := ReadDeepfakeBenchJSON(path, JSONOptions{IndexOptions: IndexOptions{Root: root}, Split: "test", Demographics: demo})
			var ie *IndexError
			if !errors.As(err, &ie) || ie.File != demo || ie.Row != tc.wantRow || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q at %s row %d", err, tc.want, demo, tc.wantRow)
			}
		})
	}
}

func TestReadDeepfakeBenchJSONMissingFile(t *testing.T) {
	_, err := ReadDeepfakeBenchJSON(filepath.Join(t.TempDir(), "none.json"), JSONOptions{Split: "test"})
	if !errors.Is(err, ErrIndex) || !strings.Contains(err.Error(), "none.json") {
		t.Fatalf("err %v", err)
	}
}
