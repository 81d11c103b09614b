package metrics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ReadScoresCSV reads a score file with the header `score,label,group[,video][,path]` (columns
// in any order; group is a name, an id 0-7, or -1/empty for unknown). Errors match
// [ErrBadInput] and name the file, line and column.
func ReadScoresCSV(path string) (Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return Input{}, fmt.Errorf("read scores: %w", err)
	}
	defer f.Close()
	return ReadScores(f, path)
}

// ReadScores reads a score CSV from r; name labels errors.
func ReadScores(r io.Reader, name string) (Input, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	bad := func(line int, col string, err error) error {
		return &InputError{Path: name, Line: line, Column: col, Err: err}
	}
	header, err := cr.Read()
	if err == io.EOF {
		return Input{}, bad(1, "", errors.New("empty file: want a header score,label,group[,video][,path]"))
	}
	if err != nil {
		return Input{}, bad(1, "", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "score", "label", "group", "video", "path":
		default:
			return Input{}, bad(1, h, fmt.Errorf("unknown column %q (want score,label,group[,video][,path])", h))
		}
		if _, dup := col[h]; dup {
			return Input{}, bad(1, h, fmt.Errorf("column %q appears twice", h))
		}
		col[h] = i
	}
	for _, need := range []string{"score", "label", "group"} {
		if _, ok := col[need]; !ok {
			return Input{}, bad(1, need, fmt.Errorf("missing column %q (header must have score,label,group)", need))
		}
	}
	var in Input
	in.Groups = []int{}
	vIdx, hasVideo := col["video"]
	pIdx, hasPath := col["path"]
	if hasVideo {
		in.Videos = []string{}
	}
	if hasPath {
		in.Paths = []string{}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Input{}, bad(pe.Line, "", pe.Err)
			}
			return Input{}, bad(0, "", err)
		}
		line, _ := cr.FieldPos(0)
		row := len(in.Scores) + 1
		if len(rec) != len(header) {
			return Input{}, &InputError{Path: name, Line: line, Row: row, Err: fmt.Errorf(
				"%d fields, header has %d", len(rec), len(header))}
		}
		badRow := func(c string, err error) error {
			return &InputError{Path: name, Line: line, Row: row, Column: c, Err: err}
		}
		raw := strings.TrimSpace(rec[col["score"]])
		score, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return Input{}, badRow("score", fmt.Errorf("score %q is not a number", raw))
		}
		if err := checkScore(score); err != nil {
			return Input{}, badRow("score", err)
		}
		raw = strings.TrimSpace(rec[col["label"]])
		label, err := strconv.Atoi(raw)
		if err != nil || (label != 0 && label != 1) {
			return Input{}, badRow("label", fmt.Errorf("label %q is not 0 (real) or 1 (fake)", raw))
		}
		group, err := ParseGroup(rec[col["group"]])
		if err != nil {
			return Input{}, badRow("group", err)
		}
		in.Scores = append(in.Scores, score)
		in.Labels = append(in.Labels, label)
		in.Groups = append(in.Groups, group)
		if hasVideo {
			in.Videos = append(in.Videos, rec[vIdx])
		}
		if hasPath {
			in.Paths = append(in.Paths, rec[pIdx])
		}
	}
	if len(in.Scores) == 0 {
		return Input{}, bad(2, "", errors.New("no data rows"))
	}
	if hasVideo && allEmpty(in.Videos) {
		in.Videos = nil
	}
	if hasPath && allEmpty(in.Paths) {
		in.Paths = nil
	}
	return in, nil
}

func allEmpty(xs []string) bool {
	for _, x := range xs {
		if x != "" {
			return false
		}
	}
	return true
}
