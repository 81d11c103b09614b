// Package sweep searches fairclip's accuracy/fairness trade-off: search spaces, samplers
// (grid, random, TPE, multi-objective), pruning, a SQLite results store, and executors
// that run each trial as a `fairclip train --run-dir` process locally or on Slurm.
package sweep

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

// Direction of an objective.
type Direction string

// Objective directions.
const (
	Maximize Direction = "max"
	Minimize Direction = "min"
)

// Objective is a named metric of a finished trial and whether larger or smaller is better.
type Objective struct {
	Name      string
	Direction Direction
}

// Param is one searched config key.
type Param struct {
	Key  string  // dotted config key, e.g. loss_weighting.lambda_fair
	Kind string  // grid, choice, uniform, loguniform, int
	Vals []any   // grid and choice values
	Lo   float64 // uniform, loguniform, int bounds (inclusive)
	Hi   float64
}

// Pruning holds the early-stopping rules for trials.
type Pruning struct {
	// DegenerateEpochs stops a trial whose validation predictions stay one class for more
	// than this many consecutive epochs (0 disables).
	DegenerateEpochs int `yaml:"degenerate_epochs"`
	// Median stops a trial whose validation metric falls below the median of completed
	// trials at the same epoch.
	Median bool `yaml:"median"`
	// MedianMetric is the validation metric for the median rule (default "auc").
	MedianMetric string `yaml:"median_metric"`
	// MinEpochs: the median rule is not applied before this epoch (default 3).
	MinEpochs int `yaml:"min_epochs"`
	// MinTrials: completed trials needed before the median rule applies (default 3).
	MinTrials int `yaml:"min_trials"`
}

// Space is a parsed search-space file.
type Space struct {
	Base       string // config file, absolute after loading
	Params     []Param
	Objectives []Objective
	Sampler    string   // grid, random, tpe, nsga2
	Trials     int      // trial budget (grid: its size when 0)
	Seed       int64    // sampler seed
	Set        []string // overrides applied to every trial (dotted.key=value)
	Args       []string // extra `fairclip train` arguments for every trial (e.g. --weights, --backend)
	Pruning    Pruning
	Retries    int // Slurm: resubmissions of a failed task
}

type spaceFile struct {
	Base       string        `yaml:"base"`
	Params     yaml.MapSlice `yaml:"params"`
	Objectives yaml.MapSlice `yaml:"objectives"`
	Sampler    string        `yaml:"sampler"`
	Trials     int           `yaml:"trials"`
	Seed       *int64        `yaml:"seed"`
	Set        []string      `yaml:"set"`
	Args       []string      `yaml:"args"`
	Pruning    Pruning       `yaml:"pruning"`
	Retries    *int          `yaml:"retries"`
}

// KnownObjectives lists the objective names a trial reports (see Objectives in result.go).
func KnownObjectives() []string {
	names := []string{"val_auc", "val_acc", "val_eer", "val_ap", "val_f_fpr", "val_f_fpr_overall",
		"val_f_oae", "val_f_dp", "val_f_meo", "mean_test_auc", "best_epoch", "final_train_loss"}
	return names
}

func validObjective(name string) bool {
	for _, k := range KnownObjectives() {
		if k == name {
			return true
		}
	}
	// Per-dataset test metrics: test_<dataset>_<metric>.
	if strings.HasPrefix(name, "test_") {
		for _, m := range []string{"_auc", "_acc", "_eer", "_ap", "_f_fpr", "_f_oae", "_f_dp", "_f_meo"} {
			if strings.HasSuffix(name, m) && len(name) > len("test_")+len(m) {
				return true
			}
		}
	}
	return false
}

// LoadSpace reads and validates a search-space file.
func LoadSpace(path string) (*Space, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read space: %w", err)
	}
	s, err := ParseSpace(raw)
	if err != nil {
		return nil, fmt.Errorf("space %s: %w", path, err)
	}
	if s.Base != "" && !filepath.IsAbs(s.Base) {
		s.Base = filepath.Join(filepath.Dir(path), s.Base)
	}
	if abs, err := filepath.Abs(s.Base); err == nil {
		s.Base = abs
	}
	if _, err := os.Stat(s.Base); err != nil {
		return nil, fmt.Errorf("space %s: base config: %w", path, err)
	}
	return s, nil
}

// ParseSpace parses a search-space document (see LoadSpace).
func ParseSpace(raw []byte) (*Space, error) {
	var f spaceFile
	if err := yaml.UnmarshalWithOptions(raw, &f, yaml.Strict(), yaml.DisallowUnknownField(), yaml.UseOrderedMap()); err != nil {
		return nil, fmt.Errorf("parse: %s", yaml.FormatError(err, false, true))
	}
	s := &Space{Base: f.Base, Sampler: f.Sampler, Trials: f.Trials, Set: f.Set, Args: f.Args, Pruning: f.Pruning, Retries: 2}
	if f.Seed != nil {
		s.Seed = *f.Seed
	}
	if f.Retries != nil {
		s.Retries = *f.Retries
	}
	if s.Base == "" {
		return nil, errors.New("missing key \"base\" (the config every trial starts from)")
	}
	if len(f.Params) == 0 {
		return nil, errors.New("missing key \"params\" (at least one searched key)")
	}
	for _, item := range f.Params {
		p, err := parseParam(item)
		if err != nil {
			return nil, err
		}
		s.Params = append(s.Params, p)
	}
	if len(f.Objectives) == 0 {
		return nil, errors.New("missing key \"objectives\" (e.g. val_auc: max)")
	}
	for _, item := range f.Objectives {
		name := fmt.Sprint(item.Key)
		dir := Direction(fmt.Sprint(item.Value))
		if dir != Maximize && dir != Minimize {
			return nil, fmt.Errorf("objective %q: direction %q, want max or min", name, dir)
		}
		if !validObjective(name) {
			return nil, fmt.Errorf("objective %q: unknown; known: %s, test_<dataset>_<auc|acc|eer|ap|f_fpr|f_oae|f_dp|f_meo>",
				name, strings.Join(KnownObjectives(), ", "))
		}
		s.Objectives = append(s.Objectives, Objective{Name: name, Direction: dir})
	}
	allGrid := true
	for _, p := range s.Params {
		if p.Kind != "grid" && p.Kind != "choice" {
			allGrid = false
		}
	}
	if s.Sampler == "" {
		switch {
		case allGrid && s.Trials == 0:
			s.Sampler = "grid"
		case len(s.Objectives) > 1:
			s.Sampler = "nsga2"
		default:
			s.Sampler = "tpe"
		}
	}
	switch s.Sampler {
	case "grid":
		if !allGrid {
			return nil, errors.New("sampler grid: every param must be grid or choice")
		}
		n := GridSize(s.Params)
		if s.Trials == 0 || s.Trials > n {
			s.Trials = n
		}
	case "random", "tpe", "nsga2":
		if s.Trials <= 0 {
			return nil, fmt.Errorf("sampler %s: trials must be > 0", s.Sampler)
		}
	default:
		return nil, fmt.Errorf("sampler %q: unknown; use grid, random, tpe or nsga2", s.Sampler)
	}
	if s.Pruning.MedianMetric == "" {
		s.Pruning.MedianMetric = "auc"
	}
	if s.Pruning.MinEpochs == 0 {
		s.Pruning.MinEpochs = 3
	}
	if s.Pruning.MinTrials == 0 {
		s.Pruning.MinTrials = 3
	}
	return s, nil
}

func parseParam(item yaml.MapItem) (Param, error) {
	key := fmt.Sprint(item.Key)
	spec, ok := item.Value.(yaml.MapSlice)
	if !ok || len(spec) != 1 {
		return Param{}, fmt.Errorf("param %q: want exactly one of grid: [...], choice: [...], uniform: [lo, hi], loguniform: [lo, hi], int: [lo, hi]", key)
	}
	kind := fmt.Sprint(spec[0].Key)
	vals, ok := spec[0].Value.([]any)
	if !ok || len(vals) == 0 {
		return Param{}, fmt.Errorf("param %q: %s needs a non-empty list", key, kind)
	}
	p := Param{Key: key, Kind: kind}
	switch kind {
	case "grid", "choice":
		p.Vals = vals
	case "uniform", "loguniform", "int":
		if len(vals) != 2 {
			return Param{}, fmt.Errorf("param %q: %s needs [lo, hi]", key, kind)
		}
		lo, err1 := toFloat(vals[0])
		hi, err2 := toFloat(vals[1])
		if err1 != nil || err2 != nil || !(lo < hi) {
			return Param{}, fmt.Errorf("param %q: %s bounds %v must be numbers with lo < hi", key, kind, vals)
		}
		if kind == "loguniform" && lo <= 0 {
			return Param{}, fmt.Errorf("param %q: loguniform needs lo > 0", key)
		}
		if kind == "int" && (lo != math.Trunc(lo) || hi != math.Trunc(hi)) {
			return Param{}, fmt.Errorf("param %q: int bounds must be integers", key)
		}
		p.Lo, p.Hi = lo, hi
	default:
		return Param{}, fmt.Errorf("param %q: unknown kind %q; use grid, choice, uniform, loguniform or int", key, kind)
	}
	return p, nil
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// GridSize is the number of points of the cartesian product of grid/choice params.
func GridSize(params []Param) int {
	n := 1
	for _, p := range params {
		n *= len(p.Vals)
	}
	return n
}

// GridPoint returns the i-th point of the grid in row-major order (last param fastest).
func GridPoint(params []Param, i int) map[string]any {
	pt := make(map[string]any, len(params))
	for k := len(params) - 1; k >= 0; k-- {
		n := len(params[k].Vals)
		pt[params[k].Key] = params[k].Vals[i%n]
		i /= n
	}
	return pt
}

// SetArgs renders a trial's parameters as sorted --set overrides.
func SetArgs(params map[string]any) []string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+formatValue(params[k]))
	}
	return out
}

func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%.6g", x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatValue(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return fmt.Sprint(v)
}
