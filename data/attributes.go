package data

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Face-attribute datasets for Stage 1 (REFERENCE.md section 7): images annotated
// with race and gender only. Their samples are real faces (Label 0) with Gender,
// Race and Subgroup = race + 4*female set; samples whose attributes are unknown
// are dropped and counted in Index.SkippedUnknown.

// Attribute layouts.
const (
	LayoutFairFace = "fairface" // CSV file,age,gender,race
	LayoutUTKFace  = "utkface"  // file names age_gender_race_date.jpg
	LayoutGeneric  = "generic"  // CSV img_path,ismale,isasian,iswhite,isblack
)

// FairFaceColumns and GenericAttributeColumns are the required CSV columns.
var (
	FairFaceColumns         = []string{"file", "gender", "race"}
	GenericAttributeColumns = []string{"img_path", "ismale", "isasian", "iswhite", "isblack"}
)

// fairFaceRaces maps FairFace's seven race labels to the four races.
var fairFaceRaces = map[string]int{
	"East Asian": RaceAsian, "Southeast Asian": RaceAsian,
	"White": RaceWhite, "Black": RaceBlack,
	"Indian": RaceOther, "Middle Eastern": RaceOther, "Latino_Hispanic": RaceOther,
}

// utkRaces maps UTKFace's race codes (0 White, 1 Black, 2 Asian, 3 Indian,
// 4 Others) to the four races.
var utkRaces = [5]int{RaceWhite, RaceBlack, RaceAsian, RaceOther, RaceOther}

// AttributeSource names one face-attribute dataset (config stage1.attribute_datasets).
type AttributeSource struct {
	Name   string // dataset name for samples and logs
	Layout string // LayoutFairFace, LayoutUTKFace or LayoutGeneric
	CSV    string // the attribute CSV (fairface, generic)
	Root   string // image root; empty: the CSV's folder (required for utkface)
}

// LoadAttributes reads one face-attribute dataset.
func LoadAttributes(src AttributeSource) (Index, error) {
	root := src.Root
	if root == "" && src.CSV != "" {
		root = filepath.Dir(src.CSV)
	}
	switch src.Layout {
	case LayoutFairFace:
		return readAttributeCSV(src.CSV, root, src.Name, FairFaceColumns, fairFaceRow)
	case LayoutGeneric:
		return readAttributeCSV(src.CSV, root, src.Name, GenericAttributeColumns, genericRow)
	case LayoutUTKFace:
		return ReadUTKFace(root, src.Name)
	}
	return Index{}, fmt.Errorf("attribute dataset %q: unknown layout %q (want %s, %s or %s)",
		src.Name, src.Layout, LayoutFairFace, LayoutUTKFace, LayoutGeneric)
}

// rowParser returns the image path, gender and race of one CSV row.
type rowParser func(get func(string) string) (rel string, gender, race int, err error)

func readAttributeCSV(path, root, dataset string, cols []string, parse rowParser) (Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return Index{}, &IndexError{File: path, Err: fmt.Errorf("open attribute index: %w", err)}
	}
	defer f.Close()
	return readAttributes(f, path, root, dataset, cols, parse)
}

func readAttributes(r io.Reader, path, root, dataset string, cols []string, parse rowParser) (Index, error) {
	ix := Index{Files: []string{path}}
	err := readCSVRows(r, path, cols, func(row int, get func(string) string) error {
		rel, gender, race, err := parse(get)
		if err != nil {
			return err
		}
		if gender < 0 || race < 0 {
			ix.SkippedUnknown++
			return nil
		}
		full, err := resolveImagePath(root, rel)
		if err != nil {
			return err
		}
		ix.Samples = append(ix.Samples, attributeSample(full, dataset, gender, race, row, path))
		return nil
	})
	return ix, err
}

func attributeSample(path, dataset string, gender, race, row int, csv string) Sample {
	return Sample{Path: path, Dataset: dataset, Split: "train", Video: path, Label: 0,
		Gender: gender, Race: race, Subgroup: SubgroupOf(gender, race), Row: row, CSV: csv}
}

// fairFaceRow reads a FairFace row: gender Male/Female, race one of the seven
// FairFace labels. Other values are errors (the original skipped them silently).
func fairFaceRow(get func(string) string) (string, int, int, error) {
	var gender int
	switch get("gender") {
	case "Male":
		gender = GenderMale
	case "Female":
		gender = GenderFemale
	default:
		return "", 0, 0, fmt.Errorf("gender %q: want Male or Female", get("gender"))
	}
	race, ok := fairFaceRaces[get("race")]
	if !ok {
		return "", 0, 0, fmt.Errorf("race %q: want one of East Asian, Southeast Asian, White, Black, Indian, Middle Eastern, Latino_Hispanic", get("race"))
	}
	return get("file"), gender, race, nil
}

// genericRow reads PG-FDD style +1/-1 flags; unknown flags give unknown attributes.
func genericRow(get func(string) string) (string, int, int, error) {
	var flags [4]int
	for k, name := range []string{"ismale", "isasian", "iswhite", "isblack"} {
		v, err := parseFlag(get(name))
		if err != nil {
			return "", 0, 0, fmt.Errorf("%s %q: %v", name, get(name), err)
		}
		flags[k] = v
	}
	return get("img_path"), GenderFromFlag(flags[0]), RaceFromFlags(flags[1], flags[2], flags[3]), nil
}

// ParseUTKFaceName reads age_gender_race_date.jpg: gender 0 male, 1 female; race 0
// White, 1 Black, 2 Asian, 3 Indian, 4 Others (Indian and Others become Other).
// ok is false for names without three leading integer fields (UTKFace has a few);
// err reports codes out of range.
func ParseUTKFaceName(name string) (gender, race int, ok bool, err error) {
	parts := strings.Split(filepath.Base(name), "_")
	if len(parts) < 4 {
		return 0, 0, false, nil
	}
	var v [3]int
	for k := range v {
		if v[k], err = strconv.Atoi(parts[k]); err != nil {
			return 0, 0, false, nil
		}
	}
	if v[1] != 0 && v[1] != 1 {
		return 0, 0, true, fmt.Errorf("gender code %d: want 0 (male) or 1 (female)", v[1])
	}
	if v[2] < 0 || v[2] >= len(utkRaces) {
		return 0, 0, true, fmt.Errorf("race code %d: want 0..4", v[2])
	}
	return v[1], utkRaces[v[2]], true, nil
}

// ReadUTKFace lists the .jpg/.png images under root (recursively, in sorted
// order) and reads their attributes from the names. Names that do not follow
// the pattern are skipped and counted in SkippedUnknown; out-of-range codes are
// errors naming the file.
func ReadUTKFace(root, dataset string) (Index, error) {
	ix := Index{Files: []string{root}}
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !d.IsDir() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return ix, &IndexError{File: root, Err: fmt.Errorf("list UTKFace images: %w", err)}
	}
	if len(paths) == 0 {
		return ix, &IndexError{File: root, Err: fmt.Errorf("no .jpg or .png images")}
	}
	sort.Strings(paths)
	for i, p := range paths {
		gender, race, ok, err := ParseUTKFaceName(p)
		if err != nil {
			return ix, &IndexError{File: p, Err: err}
		}
		if !ok {
			ix.SkippedUnknown++
			continue
		}
		ix.Samples = append(ix.Samples, attributeSample(p, dataset, gender, race, i+1, root))
	}
	return ix, nil
}
