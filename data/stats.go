package data

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fairclip/fairclip/config"
)

// StatsSource is one index file to summarize, with the dataset it belongs to
// and the role it plays (train, val or test).
type StatsSource struct {
	Dataset, Role, Path string
}

// fairnessRoles maps the PG-FDD CSV names to roles.
var fairnessRoles = []struct{ file, role string }{
	{"realtrain.csv", "train"}, {"faketrain.csv", "train"},
	{"realval.csv", "val"}, {"fakeval.csv", "val"},
	{"test.csv", "test"},
}

// SourcesFromRoot finds every PG-FDD CSV under root/<dataset>/, datasets in
// name order. A root with none is an error.
func SourcesFromRoot(root string) ([]StatsSource, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("data stats: %w", err)
	}
	var out []StatsSource
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, fr := range fairnessRoles {
			p := filepath.Join(root, e.Name(), fr.file)
			if _, err := os.Stat(p); err == nil {
				out = append(out, StatsSource{Dataset: e.Name(), Role: fr.role, Path: p})
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("data stats: no PG-FDD CSV (realtrain, faketrain, realval, fakeval, test) under %s/<dataset>/", root)
	}
	return out, nil
}

// SourcesFromConfig lists the CSVs a configuration's dataset section reads:
// train datasets in train mode, validation datasets in validation mode, test
// datasets (and evaluation.test_datasets) in test mode, each file once.
func SourcesFromConfig(c config.Config) ([]StatsSource, error) {
	var out []StatsSource
	seen := map[string]bool{}
	add := func(datasets []string, mode, role string) error {
		for _, ds := range datasets {
			files, err := FairnessFiles(ds, mode)
			if err != nil {
				return err
			}
			for _, f := range files {
				p := filepath.Join(c.Dataset.FairnessRoot, ds, f)
				if !seen[p] {
					seen[p] = true
					out = append(out, StatsSource{Dataset: ds, Role: role, Path: p})
				}
			}
		}
		return nil
	}
	if err := add(c.Dataset.TrainDataset, ModeTrain, "train"); err != nil {
		return nil, err
	}
	if err := add(c.Dataset.ValidationDataset, ModeValidation, "val"); err != nil {
		return nil, err
	}
	tests := append(slices.Clone(c.Dataset.TestDataset), c.Evaluation.TestDatasets...)
	if err := add(tests, ModeTest, "test"); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("data stats: the configuration names no dataset")
	}
	return out, nil
}

// StatsOptions configures ComputeStats.
type StatsOptions struct {
	IndexOptions
	// CheckImages decodes every image instead of only checking that it exists.
	CheckImages bool
	// Workers for the file checks; 0 means GOMAXPROCS.
	Workers int
	// Progress reports checked files (see CheckOptions.Progress).
	Progress func(done, total int)
}

// ClassCounts counts real and fake samples.
type ClassCounts struct {
	Real int `json:"real"`
	Fake int `json:"fake"`
}

// Total is Real+Fake.
func (c ClassCounts) Total() int { return c.Real + c.Fake }

func (c *ClassCounts) add(label int) {
	if label == 1 {
		c.Fake++
	} else {
		c.Real++
	}
}

// SubgroupCounts is the class count of one subgroup.
type SubgroupCounts struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
	ClassCounts
}

// BadFile is a sample whose image is missing or unreadable.
type BadFile struct {
	Path  string `json:"path"`
	CSV   string `json:"csv"`
	Row   int    `json:"row"`
	Error string `json:"error"`
}

// GroupStats summarizes one dataset role (e.g. ff++ val = fakeval + realval).
type GroupStats struct {
	Dataset string   `json:"dataset"`
	Role    string   `json:"split"`
	Files   []string `json:"files"`
	ClassCounts
	Samples int `json:"samples"`
	// MajorityShare is the share of the larger class: the accuracy of a
	// detector that predicts one class for everything (the degenerate phase).
	MajorityShare float64          `json:"majority_share"`
	Subgroups     []SubgroupCounts `json:"subgroups"`
	// Unknown counts samples with an unknown subgroup (kept in the index).
	Unknown        ClassCounts    `json:"unknown"`
	UnknownGender  int            `json:"unknown_gender"`
	UnknownRace    int            `json:"unknown_race"`
	SkippedUnknown int            `json:"skipped_unknown"`
	Manipulations  map[string]int `json:"manipulations,omitempty"`
	Missing        int            `json:"missing"`
	Unreadable     int            `json:"unreadable"`
}

// Stats is the result of ComputeStats.
type Stats struct {
	Root    string       `json:"root"`
	Check   string       `json:"check"` // "exists" or "decode"
	Groups  []GroupStats `json:"groups"`
	Samples int          `json:"samples"`
	// Bad lists every missing or unreadable image with its CSV and row.
	Bad []BadFile `json:"bad"`
}

// ComputeStats reads the sources and summarizes them per (dataset, role), in
// source order, checking every image in parallel. Index errors (missing CSV
// or column, bad label, escaping path) are returned as errors; bad images are
// listed in Stats.Bad.
func ComputeStats(ctx context.Context, sources []StatsSource, opts StatsOptions) (*Stats, error) {
	st := &Stats{Root: opts.Root, Check: "exists"}
	if opts.CheckImages {
		st.Check = "decode"
	}
	var all []Sample
	groupOf := map[[2]string]int{}
	for _, src := range sources {
		split := strings.TrimSuffix(filepath.Base(src.Path), ".csv")
		ix, err := ReadFairnessCSV(src.Path, src.Dataset, split, opts.IndexOptions)
		if err != nil {
			return nil, err
		}
		key := [2]string{src.Dataset, src.Role}
		gi, ok := groupOf[key]
		if !ok {
			gi = len(st.Groups)
			groupOf[key] = gi
			g := GroupStats{Dataset: src.Dataset, Role: src.Role}
			for id := range NumSubgroups {
				g.Subgroups = append(g.Subgroups, SubgroupCounts{ID: id, Name: SubgroupName(id)})
			}
			st.Groups = append(st.Groups, g)
		}
		g := &st.Groups[gi]
		g.Files = append(g.Files, src.Path)
		g.SkippedUnknown += ix.SkippedUnknown
		for _, s := range ix.Samples {
			g.Samples++
			g.add(s.Label)
			if s.Subgroup >= 0 {
				g.Subgroups[s.Subgroup].add(s.Label)
			} else {
				g.Unknown.add(s.Label)
			}
			if s.Gender < 0 {
				g.UnknownGender++
			}
			if s.Race < 0 {
				g.UnknownRace++
			}
			if s.Manipulation != "" {
				if g.Manipulations == nil {
					g.Manipulations = map[string]int{}
				}
				g.Manipulations[s.Manipulation]++
			}
		}
		all = append(all, ix.Samples...)
	}
	st.Samples = len(all)
	for i := range st.Groups {
		g := &st.Groups[i]
		if g.Samples > 0 {
			g.MajorityShare = float64(max(g.Real, g.Fake)) / float64(g.Samples)
		}
	}
	bad, err := CheckSamples(ctx, all, CheckOptions{Decode: opts.CheckImages, Workers: opts.Workers, Progress: opts.Progress})
	if err != nil {
		return nil, err
	}
	for _, b := range bad {
		g := &st.Groups[groupOf[[2]string{b.Sample.Dataset, roleOf(sources, b.Sample.CSV)}]]
		if errors.Is(b.Err, fs.ErrNotExist) {
			g.Missing++
		} else {
			g.Unreadable++
		}
		st.Bad = append(st.Bad, BadFile{Path: b.Sample.Path, CSV: b.Sample.CSV, Row: b.Sample.Row, Error: b.Err.Error()})
	}
	return st, nil
}

func roleOf(sources []StatsSource, csv string) string {
	for _, s := range sources {
		if s.Path == csv {
			return s.Role
		}
	}
	return ""
}
