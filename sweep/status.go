package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/fairclip/fairclip/report"
)

// Status is the content of a sweep directory, as `fairclip sweep status` shows it.
type Status struct {
	Dir        string      `json:"dir"`
	Objectives []Objective `json:"-"`
	Trials     []Trial     `json:"-"`
}

// LoadStatus reads a sweep directory's store.
func LoadStatus(sweepDir string) (*Status, error) {
	if _, err := os.Stat(StorePath(sweepDir)); err != nil {
		return nil, fmt.Errorf("%s is not a sweep directory: %w", sweepDir, err)
	}
	st, err := OpenStore(StorePath(sweepDir))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	objs, err := st.Meta("objectives")
	if err != nil {
		return nil, err
	}
	if objs == "" {
		return nil, fmt.Errorf("%s is not a sweep directory (no sweep.db with objectives)", sweepDir)
	}
	s := &Status{Dir: sweepDir}
	for _, part := range strings.Split(objs, ",") {
		name, dir, _ := strings.Cut(part, ":")
		s.Objectives = append(s.Objectives, Objective{Name: name, Direction: Direction(dir)})
	}
	if s.Trials, err = st.Trials(); err != nil {
		return nil, err
	}
	return s, nil
}

type trialJSON struct {
	ID         int                 `json:"id"`
	State      State               `json:"state"`
	Params     map[string]any      `json:"params"`
	Objectives map[string]*float64 `json:"objectives"`
	RunDir     string              `json:"run_dir"`
	Error      string              `json:"error,omitempty"`
	JobID      string              `json:"job_id,omitempty"`
	Attempts   int                 `json:"attempts"`
}

func (s *Status) toJSON(ts []Trial) []trialJSON {
	out := make([]trialJSON, 0, len(ts))
	for _, t := range ts {
		obj := map[string]*float64{}
		for i, o := range s.Objectives {
			if i < len(t.Values) && !math.IsNaN(t.Values[i]) {
				v := t.Values[i]
				obj[o.Name] = &v
			} else {
				obj[o.Name] = nil
			}
		}
		out = append(out, trialJSON{t.ID, t.State, t.Params, obj, t.RunDir, t.Error, t.JobID, t.Attempts})
	}
	return out
}

// WriteTable prints trials as an aligned table (or JSON).
func (s *Status) WriteTable(w io.Writer, ts []Trial, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s.toJSON(ts))
	}
	keys := map[string]bool{}
	for _, t := range ts {
		for k := range t.Params {
			keys[k] = true
		}
	}
	var params []string
	for k := range keys {
		params = append(params, k)
	}
	sort.Strings(params)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	head := []string{"trial", "state"}
	head = append(head, params...)
	for _, o := range s.Objectives {
		arrow := "↑"
		if o.Direction == Minimize {
			arrow = "↓"
		}
		head = append(head, o.Name+" "+arrow)
	}
	head = append(head, "note")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, t := range ts {
		row := []string{fmt.Sprint(t.ID), string(t.State)}
		for _, k := range params {
			row = append(row, formatValue(t.Params[k]))
		}
		for i := range s.Objectives {
			if i < len(t.Values) && !math.IsNaN(t.Values[i]) {
				row = append(row, fmt.Sprintf("%.4f", t.Values[i]))
			} else {
				row = append(row, "-")
			}
		}
		note := t.Error
		if len(note) > 60 {
			note = note[:57] + "..."
		}
		row = append(row, note)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// Counts returns the number of trials per state.
func (s *Status) Counts() map[State]int {
	c := map[State]int{}
	for _, t := range s.Trials {
		c[t.State]++
	}
	return c
}

// ReportFront writes the comparison report (`fairclip report`) of the Pareto front's runs
// to path and returns the run folders it compared.
func ReportFront(s *Status, path string) ([]string, error) {
	front := ParetoFront(s.Trials, s.Objectives)
	if len(front) == 0 {
		return nil, fmt.Errorf("sweep %s: no completed trial, no Pareto front to report", s.Dir)
	}
	var dirs []string
	for _, t := range front {
		dirs = append(dirs, t.RunDir)
	}
	if _, err := report.Write(dirs, path, false, report.Options{}); err != nil {
		return nil, fmt.Errorf("report of the Pareto front: %w", err)
	}
	return dirs, nil
}
