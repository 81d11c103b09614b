package metrics

import (
	"errors"
	"fmt"
	"math"
)

// Input is one set of scored samples.
type Input struct {
	// Scores are fake probabilities in [0, 1].
	Scores []float64
	// Labels are 0 (real) or 1 (fake).
	Labels []int
	// Groups are intersectional subgroup ids 0-7 (race + 4*female) or -1 (unknown); nil means
	// all unknown.
	Groups []int
	// Videos are optional video ids (nil or one per sample); when present, video-level metrics
	// are computed and bootstrap resamples whole videos.
	Videos []string
	// Paths are optional sample paths, used to pair two inputs in [Compare].
	Paths []string
}

// Len returns the number of samples.
func (in Input) Len() int { return len(in.Scores) }

// ErrBadInput is matched (errors.Is) by every input validation error.
var ErrBadInput = errors.New("bad input")

// InputError reports an invalid value: the file (if any), its line (if read from a file), the
// sample row (1-based) and the column.
type InputError struct {
	Path   string
	Line   int
	Row    int
	Column string
	Err    error
}

func (e *InputError) Error() string {
	where := ""
	switch {
	case e.Path != "" && e.Line > 0:
		where = fmt.Sprintf("%s line %d", e.Path, e.Line)
	case e.Path != "":
		where = e.Path
	}
	if e.Row > 0 {
		if where != "" {
			where += " "
		}
		where += fmt.Sprintf("row %d", e.Row)
	}
	if e.Column != "" {
		where += fmt.Sprintf(" column %q", e.Column)
	}
	if where == "" {
		return e.Err.Error()
	}
	return where + ": " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrBadInput) true for every InputError.
func (e *InputError) Is(target error) bool { return target == ErrBadInput }

// Validate checks lengths and values; errors name the 1-based row.
func (in Input) Validate() error {
	n := len(in.Scores)
	bad := func(row int, col, format string, args ...any) error {
		return &InputError{Row: row, Column: col, Err: fmt.Errorf(format, args...)}
	}
	if n == 0 {
		return &InputError{Err: errors.New("no samples")}
	}
	if len(in.Labels) != n {
		return bad(0, "label", "%d labels for %d scores", len(in.Labels), n)
	}
	if in.Groups != nil && len(in.Groups) != n {
		return bad(0, "group", "%d groups for %d scores", len(in.Groups), n)
	}
	if in.Videos != nil && len(in.Videos) != n {
		return bad(0, "video", "%d video ids for %d scores", len(in.Videos), n)
	}
	if in.Paths != nil && len(in.Paths) != n {
		return bad(0, "path", "%d paths for %d scores", len(in.Paths), n)
	}
	for i, s := range in.Scores {
		if err := checkScore(s); err != nil {
			return bad(i+1, "score", "%w", err)
		}
		if l := in.Labels[i]; l != 0 && l != 1 {
			return bad(i+1, "label", "label %d is not 0 (real) or 1 (fake)", l)
		}
		if in.Groups != nil {
			if g := in.Groups[i]; g < Unknown || g >= NumSubgroups {
				return bad(i+1, "group", "subgroup id %d out of range 0-7 (or -1 for unknown)", g)
			}
		}
	}
	return nil
}

func checkScore(s float64) error {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return fmt.Errorf("score %v is not a finite number", s)
	}
	if s < 0 || s > 1 {
		return fmt.Errorf("score %v is outside [0, 1]", s)
	}
	return nil
}

// group returns the subgroup of row i.
func (in Input) group(i int) int {
	if in.Groups == nil {
		return Unknown
	}
	return in.Groups[i]
}
