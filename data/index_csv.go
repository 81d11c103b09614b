package data

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FairnessColumns are the columns a PG-FDD fairness CSV must have; spe_label
// (the manipulation type) is optional.
var FairnessColumns = []string{"img_path", "label", "ismale", "isasian", "iswhite", "isblack", "intersec_label"}

// Modes are the three dataset roles of the reference: which CSVs of
// <fairness_root>/<dataset>/ each reads.
const (
	ModeTrain      = "train"
	ModeValidation = "validation"
	ModeTest       = "test"
)

// FairnessFiles lists the CSV files (without directory) read for a dataset in
// a mode, in the reference's order: ff++ reads faketrain+realtrain for train
// and fakeval+realval for validation; every other case reads test.csv.
func FairnessFiles(dataset, mode string) ([]string, error) {
	switch mode {
	case ModeTrain:
		if dataset == "ff++" {
			return []string{"faketrain.csv", "realtrain.csv"}, nil
		}
	case ModeValidation:
		if dataset == "ff++" {
			return []string{"fakeval.csv", "realval.csv"}, nil
		}
	case ModeTest:
	default:
		return nil, fmt.Errorf("unknown mode %q (want %s, %s or %s)", mode, ModeTrain, ModeValidation, ModeTest)
	}
	return []string{"test.csv"}, nil
}

// LoadFairness reads the CSVs of datasets for mode under opts.Root. Unlike the
// reference, a missing CSV is an error, not a warning.
func LoadFairness(datasets []string, mode string, opts IndexOptions) (Index, error) {
	var ix Index
	if len(datasets) == 0 {
		return ix, fmt.Errorf("load %s data: no dataset named", mode)
	}
	for _, ds := range datasets {
		files, err := FairnessFiles(ds, mode)
		if err != nil {
			return ix, err
		}
		for _, f := range files {
			one, err := ReadFairnessCSV(filepath.Join(opts.Root, ds, f), ds, strings.TrimSuffix(f, ".csv"), opts)
			if err != nil {
				return ix, err
			}
			ix.Append(one)
		}
	}
	return ix, nil
}

// ReadFairnessCSV reads one PG-FDD CSV (columns FairnessColumns, in any order,
// extra columns ignored). Every sample gets dataset and split as given.
func ReadFairnessCSV(path, dataset, split string, opts IndexOptions) (Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return Index{}, &IndexError{File: path, Err: fmt.Errorf("open index: %w", err)}
	}
	defer f.Close()
	return readFairnessCSV(f, path, dataset, split, opts)
}

func readFairnessCSV(r io.Reader, path, dataset, split string, opts IndexOptions) (Index, error) {
	ix := Index{Files: []string{path}}
	err := readCSVRows(r, path, FairnessColumns, func(row int, get func(string) string) error {
		label, err := parseFlag(get("label"))
		if err != nil || get("label") == "" || strings.EqualFold(get("label"), "nan") || (label != 0 && label != 1) {
			return fmt.Errorf("label %q: want 0 or 1", get("label"))
		}
		var flags [4]int
		for k, name := range []string{"ismale", "isasian", "iswhite", "isblack"} {
			v, err := parseFlag(get(name))
			if err != nil {
				return fmt.Errorf("%s %q: %v", name, get(name), err)
			}
			flags[k] = v
		}
		gender := GenderFromFlag(flags[0])
		race := RaceFromFlags(flags[1], flags[2], flags[3])
		if opts.SkipUnknownAttributes && (gender < 0 || race < 0) {
			ix.SkippedUnknown++
			return nil
		}
		rel := get("img_path")
		full, err := resolveImagePath(opts.Root, rel)
		if err != nil {
			return err
		}
		ix.Samples = append(ix.Samples, Sample{
			Path: full, Dataset: dataset, Split: split, Video: VideoFromPath(rel),
			Manipulation: get("spe_label"),
			Label:        label, Gender: gender, Race: race, Subgroup: SubgroupOf(gender, race),
			Row: row, CSV: path,
		})
		return nil
	})
	return ix, err
}

// readCSVRows reads a headed CSV whose header must contain required (any
// order, extra columns ignored, a UTF-8 BOM tolerated) and calls fn for each
// data row (1-based) with a getter of trimmed fields by column name (""
// for a column the file lacks). An error from fn is wrapped as an IndexError
// naming path and row.
func readCSVRows(r io.Reader, path string, required []string, fn func(row int, get func(string) string) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return indexErr(path, 0, "empty file (want a header with %s)", strings.Join(required, ","))
	}
	if err != nil {
		return indexErr(path, 0, "header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			return indexErr(path, 0, "missing column %q (header %q)", c, strings.Join(header, ","))
		}
	}
	var rec []string
	get := func(name string) string {
		i, ok := col[name]
		if !ok {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for row := 1; ; row++ {
		rec, err = cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return indexErr(path, row, "%w", err)
		}
		if err := fn(row, get); err != nil {
			return &IndexError{File: path, Row: row, Err: err}
		}
	}
}

// parseFlag parses an integer attribute or label, accepting the "1.0" form
// pandas writes for integer columns; an empty field or NaN is 0 (unknown).
func parseFlag(s string) (int, error) {
	if s == "" || strings.EqualFold(s, "nan") {
		return 0, nil
	}
	if v, err := strconv.Atoi(s); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e9 {
		return 0, fmt.Errorf("not an integer")
	}
	return int(f), nil
}
