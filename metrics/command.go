package metrics

import (
	"encoding/json"
	"fmt"
	"io"
)

// CommandOptions are the flags of `fairclip metrics`.
type CommandOptions struct {
	Scores     string
	Convention string
	// Threshold is a fixed decision threshold (0: 0.5).
	Threshold float64
	// ThresholdRule and ThresholdFrom choose an extra threshold on another score file (see
	// [ChooseThreshold]); results at it are reported next to those at Threshold.
	ThresholdRule string
	ThresholdFrom string
	Bootstrap     int
	Seed          int64
	// MinSubgroup is the smallest subgroup entering the fairness gaps (0: the convention's own,
	// 10 for fairclip and none for pgfdd and deepfakebench).
	MinSubgroup int
	// Compare names a second score file of the same samples for a paired comparison.
	Compare string
	JSON    bool
}

// Report is what `fairclip metrics` prints: the Result of the score file plus the optional
// threshold choice and comparison.
type Report struct {
	Result
	Scores          string           `json:"scores"`
	ThresholdChoice *ThresholdChoice `json:"threshold_choice,omitempty"`
	Compare         *CompareReport   `json:"compare,omitempty"`
}

// ThresholdChoice reports ACC and fairness at a threshold chosen on another file.
type ThresholdChoice struct {
	Rule      string       `json:"rule"`
	From      string       `json:"from"`
	Threshold float64      `json:"threshold"`
	ACC       float64      `json:"acc"`
	Fairness  Fairness     `json:"fairness"`
	Video     *VideoResult `json:"video,omitempty"`
}

// CompareReport is a Comparison against a named file.
type CompareReport struct {
	With string `json:"with"`
	Comparison
}

// MarshalJSON writes NaN and infinities as null.
func (r Report) MarshalJSON() ([]byte, error) { return marshalNaNNull(r) }

// MarshalJSON writes NaN and infinities as null.
func (c CompareReport) MarshalJSON() ([]byte, error) { return marshalNaNNull(c) }

// RunCommand evaluates opts.Scores as `fairclip metrics` does and writes the human report
// or, with opts.JSON, the JSON report to w. Bad input (files, values, flags) matches
// [ErrBadInput].
func RunCommand(opts CommandOptions, w io.Writer) error {
	r, err := BuildReport(opts)
	if err != nil {
		return err
	}
	if opts.JSON {
		data, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return fmt.Errorf("encode report: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", data)
		return err
	}
	return r.WriteText(w)
}

func usage(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// BuildReport computes the Report of `fairclip metrics`.
func BuildReport(opts CommandOptions) (Report, error) {
	if opts.Scores == "" {
		return Report{}, usage("--scores is required")
	}
	if opts.ThresholdRule != "" && opts.Threshold != 0 {
		return Report{}, usage("--threshold and --threshold-rule exclude each other")
	}
	if (opts.ThresholdRule == "") != (opts.ThresholdFrom == "") {
		return Report{}, usage("--threshold-rule and --threshold-from go together")
	}
	if opts.Threshold < 0 || opts.Threshold > 1 {
		return Report{}, usage("--threshold %v outside [0, 1]", opts.Threshold)
	}
	if _, err := ConventionByName(opts.Convention); err != nil {
		return Report{}, usage("%w", err)
	}
	if opts.Bootstrap < 0 {
		return Report{}, usage("--bootstrap %d < 0", opts.Bootstrap)
	}
	if opts.MinSubgroup < 0 {
		return Report{}, usage("--min-subgroup %d < 0", opts.MinSubgroup)
	}
	in, err := ReadScoresCSV(opts.Scores)
	if err != nil {
		return Report{}, err
	}
	eo := Options{Convention: opts.Convention, Threshold: opts.Threshold, Bootstrap: opts.Bootstrap,
		Seed: opts.Seed, MinSubgroupSize: opts.MinSubgroup}
	res, err := Evaluate(in, eo)
	if err != nil {
		return Report{}, fmt.Errorf("%s: %w", opts.Scores, err)
	}
	rep := Report{Result: res, Scores: opts.Scores}
	if opts.ThresholdRule != "" {
		from, err := ReadScoresCSV(opts.ThresholdFrom)
		if err != nil {
			return Report{}, err
		}
		t, err := ChooseThreshold(from, opts.ThresholdRule)
		if err != nil {
			return Report{}, &InputError{Path: opts.ThresholdFrom, Err: err}
		}
		at, err := Evaluate(in, Options{Convention: opts.Convention, Threshold: t,
			MinSubgroupSize: opts.MinSubgroup})
		if err != nil {
			return Report{}, err
		}
		rep.ThresholdChoice = &ThresholdChoice{Rule: opts.ThresholdRule, From: opts.ThresholdFrom,
			Threshold: t, ACC: at.ACC, Fairness: at.Fairness, Video: at.Video}
	}
	if opts.Compare != "" {
		other, err := ReadScoresCSV(opts.Compare)
		if err != nil {
			return Report{}, err
		}
		cmp, err := Compare(in, other, eo)
		if err != nil {
			return Report{}, fmt.Errorf("compare %s with %s: %w", opts.Scores, opts.Compare, err)
		}
		rep.Compare = &CompareReport{With: opts.Compare, Comparison: cmp}
	}
	return rep, nil
}
