package data

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultLabelNames maps DeepfakeBench label names (its train_config.yaml
// label_dict) to 0 real / 1 fake. JSONOptions.LabelNames extends it.
var DefaultLabelNames = map[string]int{
	"DFD_fake": 1, "DFD_real": 0,
	"FF-SH": 1, "FF-F2F": 1, "FF-DF": 1, "FF-FS": 1, "FF-NT": 1, "FF-FH": 1, "FF-real": 0,
	"CelebDFv1_real": 0, "CelebDFv1_fake": 1, "CelebDFv2_real": 0, "CelebDFv2_fake": 1,
	"DFDCP_Real": 0, "DFDCP_FakeA": 1, "DFDCP_FakeB": 1,
	"DFDC_Fake": 1, "DFDC_Real": 0,
	"DF_fake": 1, "DF_real": 0,
	"UADFV_Fake": 1, "UADFV_Real": 0,
	"roop_Real": 0, "roop_Fake": 1,
}

// JSONOptions configures ReadDeepfakeBenchJSON.
type JSONOptions struct {
	IndexOptions
	// Dataset is the top-level key; empty picks the only one.
	Dataset string
	// Split is the split key ("train", "val", "test").
	Split string
	// Compression picks the level ("c23", "c40", ...) when the split has one
	// level more; empty means "c23".
	Compression string
	// LabelNames adds to (or overrides) DefaultLabelNames.
	LabelNames map[string]int
	// Demographics is a CSV with img_path,ismale,isasian,iswhite,isblack joined
	// to the frames by path; empty leaves every subgroup unknown.
	Demographics string
}

type jsonVideo struct {
	Label  *string  `json:"label"`
	Frames []string `json:"frames"`
}

// ReadDeepfakeBenchJSON reads a DeepfakeBench dataset JSON
// (dataset -> label name -> split [-> compression] -> video -> {label, frames}).
// Keys are visited in sorted order so the sample order is deterministic. A
// sample's Video is "<label>_<video>" as in DeepfakeBench, Manipulation the
// label name, Row the frame's 1-based position in that order. Frame paths are
// relative to Root (absolute paths must lie inside it when Root is set).
func ReadDeepfakeBenchJSON(path string, opts JSONOptions) (Index, error) {
	ix := Index{Files: []string{path}}
	raw, err := os.ReadFile(path)
	if err != nil {
		return ix, &IndexError{File: path, Err: fmt.Errorf("open index: %w", err)}
	}
	var top map[string]map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return ix, indexErr(path, 0, "want dataset -> label -> split -> ...: %w", err)
	}
	ds := opts.Dataset
	if ds == "" {
		if len(top) != 1 {
			return ix, indexErr(path, 0, "%d datasets %v: name one", len(top), slices.Sorted(maps.Keys(top)))
		}
		for k := range top {
			ds = k
		}
	}
	labels, ok := top[ds]
	if !ok {
		return ix, indexErr(path, 0, "no dataset %q (have %v)", ds, slices.Sorted(maps.Keys(top)))
	}
	names := maps.Clone(DefaultLabelNames)
	maps.Copy(names, opts.LabelNames)
	var demo map[string]demographics
	if opts.Demographics != "" {
		if demo, err = readDemographics(opts.Demographics); err != nil {
			return ix, err
		}
	}
	compression := opts.Compression
	if compression == "" {
		compression = "c23"
	}
	row := 0
	for _, labelName := range slices.Sorted(maps.Keys(labels)) {
		splitNode, ok := labels[labelName][opts.Split]
		if !ok {
			continue // this label has no such split
		}
		videos, err := decodeVideos(splitNode, compression)
		if err != nil {
			return ix, indexErr(path, 0, "%s/%s/%s: %w", ds, labelName, opts.Split, err)
		}
		for _, vname := range slices.Sorted(maps.Keys(videos)) {
			v := videos[vname]
			name := labelName
			if v.Label != nil {
				name = *v.Label
			}
			y, ok := names[name]
			if !ok {
				return ix, indexErr(path, 0, "video %s/%s: label name %q not in the label table (add it to the label names)", labelName, vname, name)
			}
			if y != 0 && y != 1 {
				return ix, indexErr(path, 0, "label name %q maps to %d, want 0 or 1", name, y)
			}
			for _, frame := range v.Frames {
				row++
				full, err := resolveJSONPath(opts.Root, frame)
				if err != nil {
					return ix, indexErr(path, row, "video %s: %w", vname, err)
				}
				s := Sample{Path: full, Dataset: ds, Split: opts.Split, Video: name + "_" + vname,
					Manipulation: name, Label: y, Gender: GenderUnknown, Race: RaceUnknown, Subgroup: -1,
					Row: row, CSV: path}
				if d, ok := demo[joinKey(frame)]; ok {
					s.Gender, s.Race, s.Subgroup = d.gender, d.race, SubgroupOf(d.gender, d.race)
				}
				if opts.SkipUnknownAttributes && s.Subgroup < 0 {
					ix.SkippedUnknown++
					continue
				}
				ix.Samples = append(ix.Samples, s)
			}
		}
	}
	if len(ix.Samples) == 0 && ix.SkippedUnknown == 0 {
		return ix, indexErr(path, 0, "no frames for dataset %q split %q", ds, opts.Split)
	}
	return ix, nil
}

// decodeVideos decodes a split node: either video -> {label, frames} or
// compression -> video -> {...}.
func decodeVideos(node json.RawMessage, compression string) (map[string]jsonVideo, error) {
	var generic map[string]map[string]json.RawMessage
	if err := json.Unmarshal(node, &generic); err != nil {
		return nil, fmt.Errorf("want video -> {label, frames}: %w", err)
	}
	isVideos := len(generic) == 0
	for _, v := range generic {
		_, hasFrames := v["frames"]
		_, hasLabel := v["label"]
		isVideos = hasFrames || hasLabel
		break
	}
	if !isVideos {
		sub, ok := generic[compression]
		if !ok {
			return nil, fmt.Errorf("no compression level %q (have %v)", compression, slices.Sorted(maps.Keys(generic)))
		}
		raw, _ := json.Marshal(sub)
		node = raw
	}
	var videos map[string]jsonVideo
	if err := json.Unmarshal(node, &videos); err != nil {
		return nil, fmt.Errorf("want video -> {label, frames}: %w", err)
	}
	return videos, nil
}

func resolveJSONPath(root, frame string) (string, error) {
	if root == "" {
		if frame == "" {
			return "", fmt.Errorf("empty frame path")
		}
		return filepath.Clean(filepath.FromSlash(frame)), nil
	}
	return resolveImagePath(root, frame)
}

// joinKey normalizes a path for the demographic join.
func joinKey(p string) string {
	return filepath.ToSlash(filepath.Clean(filepath.FromSlash(strings.TrimSpace(p))))
}

type demographics struct{ gender, race int }

// readDemographics reads img_path and the four attribute flags of a CSV.
func readDemographics(path string) (map[string]demographics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &IndexError{File: path, Err: fmt.Errorf("open demographics: %w", err)}
	}
	defer f.Close()
	out := map[string]demographics{}
	err = readCSVRows(f, path, []string{"img_path", "ismale", "isasian", "iswhite", "isblack"},
		func(row int, get func(string) string) error {
			var flags [4]int
			for k, name := range []string{"ismale", "isasian", "iswhite", "isblack"} {
				v, err := parseFlag(get(name))
				if err != nil {
					return fmt.Errorf("%s %q: %v", name, get(name), err)
				}
				flags[k] = v
			}
			key := joinKey(get("img_path"))
			if _, dup := out[key]; dup {
				return fmt.Errorf("img_path %q listed twice", get("img_path"))
			}
			out[key] = demographics{GenderFromFlag(flags[0]), RaceFromFlags(flags[1], flags[2], flags[3])}
			return nil
		})
	return out, err
}
