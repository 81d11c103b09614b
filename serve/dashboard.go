package serve

import (
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fairclip/fairclip/report"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/sweep"
)

//go:embed templates/*.html static/style.css
var assets embed.FS

// dashboard renders the HTML pages. Run folders and sweeps are found by listing
// RunsDir; a request names an entry of that listing and is never joined into a path.
type dashboard struct {
	s     *Server
	pages map[string]*template.Template
	css   []byte
	cache string // plots and reports drawn by the report and sweep packages

	mu     sync.Mutex
	drawn  map[string]*drawnRun    // by run folder: its latest drawing
	pareto map[string]*drawnPareto // by sweep folder: its latest plot
}

var funcs = template.FuncMap{
	"f4": func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "—"
		}
		return fmt.Sprintf("%.4f", x)
	},
	"pct": func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "—"
		}
		return fmt.Sprintf("%.2f%%", 100*x)
	},
	"prob": func(p *float64) string {
		if p == nil {
			return "—"
		}
		return fmt.Sprintf("%.4f", *p)
	},
}

func newDashboard(s *Server, tmp string) (*dashboard, error) {
	d := &dashboard{s: s, cache: filepath.Join(tmp, "dashboard"), pages: map[string]*template.Template{},
		drawn: map[string]*drawnRun{}, pareto: map[string]*drawnPareto{}}
	if err := os.Mkdir(d.cache, 0o700); err != nil {
		return nil, fmt.Errorf("serve: dashboard cache: %w", err)
	}
	for _, p := range []string{"index", "run", "sweep", "upload", "result", "login", "error"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("serve: template %s: %w", p, err)
		}
		d.pages[p] = t
	}
	css, err := assets.ReadFile("static/style.css")
	if err != nil {
		return nil, err
	}
	d.css = css
	return d, nil
}

// page is what every template gets.
type page struct {
	Title string
	Nav   string // which top link is current
	Model modelSummary
	Auth  bool
	Data  any
}

type modelSummary struct {
	Run, Checkpoint string
	Epoch           int
	Threshold       float64
	ThresholdRule   string
}

func (d *dashboard) render(w http.ResponseWriter, code int, name, title, nav string, data any) {
	m := d.s.scorer.Model()
	p := page{Title: title, Nav: nav, Auth: d.s.opts.Token != "", Data: data,
		Model: modelSummary{Run: filepath.Base(m.Run), Checkpoint: filepath.Base(m.Checkpoint), Epoch: m.Epoch,
			Threshold: m.Threshold, ThresholdRule: m.ThresholdRule}}
	var b strings.Builder
	if err := d.pages[name].Execute(&b, p); err != nil {
		d.s.log.Error("template", "page", name, "err", err)
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors 'none'")
	w.WriteHeader(code)
	w.Write([]byte(b.String())) //nolint:errcheck
}

func (d *dashboard) errorPage(w http.ResponseWriter, code int, msg string) {
	d.render(w, code, "error", http.StatusText(code), "", msg)
}

// entry is one run folder or sweep under RunsDir.
type entry struct {
	Name string
	Dir  string
}

// list finds the run folders (events.jsonl) and sweeps (sweep.db) directly under RunsDir.
func (d *dashboard) list() (runList, sweepList []entry, err error) {
	if d.s.opts.RunsDir == "" {
		return nil, nil, nil
	}
	des, err := os.ReadDir(d.s.opts.RunsDir)
	if err != nil {
		return nil, nil, err
	}
	for _, de := range des {
		dir := filepath.Join(d.s.opts.RunsDir, de.Name())
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		switch {
		case exists(sweep.StorePath(dir)):
			sweepList = append(sweepList, entry{de.Name(), dir})
		case exists(filepath.Join(dir, runs.EventsFile)):
			runList = append(runList, entry{de.Name(), dir})
		}
	}
	return runList, sweepList, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// find returns the entry called name in a listing.
func find(list []entry, name string) (entry, bool) {
	for _, e := range list {
		if e.Name == name {
			return e, true
		}
	}
	return entry{}, false
}

// runRow is one line of the runs table.
type runRow struct {
	Name, Folder, Status, Stage string
	Done, Planned, Best         int
	Val                         runs.Metrics
	Stage1Score                 float64
	Problems                    []string
	Href                        string
}

func summarizeRun(e entry, href string) runRow {
	r := report.LoadRun(e.Dir)
	row := runRow{Name: r.Name, Folder: e.Name, Status: r.Status(), Stage: "2", Done: r.EpochsDone(),
		Planned: r.PlannedEpochs(), Best: r.BestEpoch(), Href: href, Stage1Score: math.NaN()}
	nan := math.NaN()
	row.Val = runs.Metrics{AUC: nan, ACC: nan, EER: nan, AP: nan, FFPR: nan, FOAE: nan, FDP: nan, FMEO: nan}
	if r.IsStage1() {
		row.Stage = "1"
		if ev, ok := r.Stage1Epoch(row.Best); ok {
			row.Stage1Score = ev.Score
		}
	} else if ev, ok := r.Epoch(row.Best); ok {
		row.Val = ev.Val
	}
	for _, p := range r.Problems {
		row.Problems = append(row.Problems, problemText(p))
	}
	return row
}

// problemText shows a report.Problem plainly (the report package words it in the report).
func problemText(p report.Problem) string {
	if len(p.Args) == 0 {
		return strings.ReplaceAll(p.Key, "_", " ")
	}
	args := make([]string, len(p.Args))
	for i, a := range p.Args {
		args[i] = fmt.Sprint(a)
	}
	return strings.ReplaceAll(p.Key, "_", " ") + ": " + strings.Join(args, ", ")
}

type sweepRow struct {
	Name, Href string
	Counts     map[sweep.State]int
	Trials     int
	Objectives string
	Err        string
}

var trialStates = []sweep.State{sweep.StateComplete, sweep.StateRunning, sweep.StatePending, sweep.StatePruned, sweep.StateFailed}

func (d *dashboard) handleIndex(w http.ResponseWriter, r *http.Request) {
	runList, sweepList, err := d.list()
	if err != nil {
		d.errorPage(w, http.StatusInternalServerError, "cannot list the runs folder: "+err.Error())
		return
	}
	var data struct {
		RunsDir string
		Runs    []runRow
		Sweeps  []sweepRow
		States  []sweep.State
	}
	data.RunsDir, data.States = d.s.opts.RunsDir, trialStates
	for _, e := range runList {
		data.Runs = append(data.Runs, summarizeRun(e, "/runs/"+e.Name))
	}
	for _, e := range sweepList {
		row := sweepRow{Name: e.Name, Href: "/sweeps/" + e.Name}
		if st, err := sweep.LoadStatus(e.Dir); err != nil {
			row.Err = err.Error()
		} else {
			row.Counts, row.Trials, row.Objectives = st.Counts(), len(st.Trials), objectiveNames(st.Objectives)
		}
		data.Sweeps = append(data.Sweeps, row)
	}
	d.render(w, http.StatusOK, "index", "Runs", "runs", data)
}

func objectiveNames(objs []sweep.Objective) string {
	var parts []string
	for _, o := range objs {
		parts = append(parts, o.Name+" ("+string(o.Direction)+")")
	}
	return strings.Join(parts, ", ")
}

func (d *dashboard) handleCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(d.css) //nolint:errcheck
}
