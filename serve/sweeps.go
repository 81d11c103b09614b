package serve

import (
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/sweep"
)

// drawnPareto is the sweep package's Pareto plot of one version of a sweep store.
type drawnPareto struct {
	version string
	png     []byte
}

type trialRow struct {
	ID          int
	State       sweep.State
	Params      string
	Values      []string
	OnFront     bool
	Error, Href string
}

type sweepPage struct {
	Name       string
	Objectives []sweep.Objective
	Counts     map[sweep.State]int
	States     []sweep.State
	Trials     []trialRow
	Front      []trialRow
	Pareto     string // plot URL, "" with fewer than two objectives
}

// sweepEntry resolves /sweeps/{name} to a listed sweep folder.
func (d *dashboard) sweepEntry(r *http.Request) (entry, bool) {
	_, sweepList, err := d.list()
	if err != nil {
		return entry{}, false
	}
	return find(sweepList, r.PathValue("name"))
}

func paramsText(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, p[k])
	}
	return strings.Join(parts, " ")
}

func (d *dashboard) handleSweep(w http.ResponseWriter, r *http.Request) {
	e, ok := d.sweepEntry(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no sweep called "+r.PathValue("name"))
		return
	}
	st, err := sweep.LoadStatus(e.Dir)
	if err != nil {
		d.errorPage(w, http.StatusInternalServerError, err.Error())
		return
	}
	pg := sweepPage{Name: e.Name, Objectives: st.Objectives, Counts: st.Counts(), States: trialStates}
	front := map[int]bool{}
	for _, t := range sweep.ParetoFront(st.Trials, st.Objectives) {
		front[t.ID] = true
	}
	for _, t := range st.Trials {
		row := trialRow{ID: t.ID, State: t.State, Params: paramsText(t.Params), OnFront: front[t.ID], Error: t.Error}
		for i := range st.Objectives {
			v := "—"
			if i < len(t.Values) && !math.IsNaN(t.Values[i]) {
				v = fmt.Sprintf("%.4f", t.Values[i])
			}
			row.Values = append(row.Values, v)
		}
		if trialRunDir(e.Dir, t) != "" {
			row.Href = fmt.Sprintf("/sweeps/%s/trials/%d", e.Name, t.ID)
		}
		pg.Trials = append(pg.Trials, row)
		if row.OnFront {
			pg.Front = append(pg.Front, row)
		}
	}
	if len(st.Objectives) >= 2 && len(pg.Front) > 0 {
		pg.Pareto = "/sweeps/" + e.Name + "/pareto.png"
	}
	d.render(w, http.StatusOK, "sweep", "Sweep "+e.Name, "runs", pg)
}

// handlePareto serves the sweep package's Pareto plot of the first two objectives.
func (d *dashboard) handlePareto(w http.ResponseWriter, r *http.Request) {
	e, ok := d.sweepEntry(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no sweep called "+r.PathValue("name"))
		return
	}
	// The store's WAL file changes with every trial update too.
	v := version(e.Dir, "sweep.db", "sweep.db-wal")
	d.mu.Lock()
	cached := d.pareto[e.Dir]
	d.mu.Unlock()
	var b []byte
	if cached != nil && cached.version == v {
		b = cached.png
	} else {
		st, err := sweep.LoadStatus(e.Dir)
		if err != nil {
			d.errorPage(w, http.StatusInternalServerError, err.Error())
			return
		}
		path := filepath.Join(d.cache, "pareto-"+cacheName(v)+".png")
		err = sweep.PlotPareto(path, st, 0, 1)
		if err == nil {
			b, err = os.ReadFile(path)
			os.Remove(path) // kept in memory
		}
		if err != nil {
			d.errorPage(w, http.StatusInternalServerError, "pareto plot: "+err.Error())
			return
		}
		d.mu.Lock()
		d.pareto[e.Dir] = &drawnPareto{version: v, png: b}
		d.mu.Unlock()
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(b) //nolint:errcheck
}

// trialEntry resolves /sweeps/{name}/trials/{id} to the trial's run folder as the
// sweep's store records it.
func (d *dashboard) trialEntry(r *http.Request) (entry, string, bool) {
	e, ok := d.sweepEntry(r)
	if !ok {
		return entry{}, "", false
	}
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return entry{}, "", false
	}
	st, err := sweep.LoadStatus(e.Dir)
	if err != nil {
		return entry{}, "", false
	}
	for _, t := range st.Trials {
		if dir := trialRunDir(e.Dir, t); t.ID == id && dir != "" {
			return entry{Name: fmt.Sprintf("%s trial %d", e.Name, id), Dir: dir},
				fmt.Sprintf("/sweeps/%s/trials/%d", e.Name, id), true
		}
	}
	return entry{}, "", false
}

// trialRunDir is the run folder of a trial: the one the store records, else (a sweep
// run from another working directory, or moved) the standard trial folder inside the
// sweep; "" when neither has events.
func trialRunDir(sweepDir string, t sweep.Trial) string {
	for _, dir := range []string{t.RunDir, sweep.TrialDir(sweepDir, t.ID)} {
		if dir != "" && exists(filepath.Join(dir, runs.EventsFile)) {
			return dir
		}
	}
	return ""
}

func (d *dashboard) handleTrial(w http.ResponseWriter, r *http.Request) {
	e, base, ok := d.trialEntry(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no such trial")
		return
	}
	d.runPage(w, e, base)
}

func (d *dashboard) handleTrialReport(w http.ResponseWriter, r *http.Request) {
	e, _, ok := d.trialEntry(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no such trial")
		return
	}
	d.reportPage(w, e)
}

func (d *dashboard) handleTrialPlot(w http.ResponseWriter, r *http.Request) {
	e, _, ok := d.trialEntry(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no such trial")
		return
	}
	d.plotFile(w, r, e)
}
