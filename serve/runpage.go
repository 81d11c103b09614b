package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/fairclip/fairclip/report"
	"github.com/fairclip/fairclip/runs"
)

// drawnRun is what the report package produced for one run folder.
type drawnRun struct {
	version string     // version() of the run folder drawn
	dir     string     // its folder in the cache
	mu      sync.Mutex // held while drawing
	done    bool
	err     error
	html    string
	plots   map[string]string // file name -> path in the cache
	order   []string          // file names in the report's order
}

// runDir resolves /runs/{name} to a listed run folder.
func (d *dashboard) runDir(r *http.Request) (entry, bool) {
	runList, _, err := d.list()
	if err != nil {
		return entry{}, false
	}
	return find(runList, r.PathValue("name"))
}

type runPage struct {
	Row   runRow
	Tests []testRow
	Plots []plotLink
	Err   string
}

type testRow struct {
	Dataset string
	M       runs.Metrics
}

type plotLink struct{ Src, Alt string }

// plotTitles are the run page's curves, in order: the report package's plot files.
var plotTitles = []struct{ file, alt string }{
	{"val_auc.png", "validation AUC per epoch"},
	{"train_loss.png", "training loss per epoch"},
	{"gate.png", "fusion gate per epoch (mean, p5-p95)"},
	{"fair_contribution.png", "effective fairness-loss share per epoch"},
}

func (d *dashboard) handleRun(w http.ResponseWriter, r *http.Request) {
	e, ok := d.runDir(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no run folder called "+r.PathValue("name"))
		return
	}
	d.runPage(w, e, "/runs/"+e.Name)
}

// runPage shows one run folder; base is its URL (plots and report below it).
func (d *dashboard) runPage(w http.ResponseWriter, e entry, base string) {
	pg := runPage{Row: summarizeRun(e, base)}
	run := report.LoadRun(e.Dir)
	tests := run.TestsAt(run.BestEpoch())
	for _, ds := range sortedKeys(tests) {
		pg.Tests = append(pg.Tests, testRow{ds, tests[ds].Metrics})
	}
	dr := d.draw(e)
	if dr.err != nil {
		pg.Err = dr.err.Error()
	}
	shown := map[string]bool{}
	for _, p := range plotTitles {
		if _, ok := dr.plots[p.file]; ok {
			pg.Plots = append(pg.Plots, plotLink{base + "/plots/" + p.file, p.alt})
			shown[p.file] = true
		}
	}
	for _, f := range dr.order { // ROC, subgroups, Stage 1 curves
		if !shown[f] {
			pg.Plots = append(pg.Plots, plotLink{base + "/plots/" + f, strings.TrimSuffix(f, ".png")})
		}
	}
	d.render(w, http.StatusOK, "run", pg.Row.Name, "runs", pg)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// version identifies the state of files under dir: their sizes and modification times.
func version(dir string, files ...string) string {
	v := dir
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil {
			v += fmt.Sprintf("|%s:%d:%d", f, st.Size(), st.ModTime().UnixNano())
		}
	}
	return v
}

// cacheName is a file name for a cache entry of key.
func cacheName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

// draw builds the report of one run folder with its plots, once per version of the
// folder's events and config; a newer version (a run still training) replaces the
// older drawing, whose files are removed.
func (d *dashboard) draw(e entry) *drawnRun {
	v := version(e.Dir, runs.EventsFile, runs.ConfigFile)
	d.mu.Lock()
	dr := d.drawn[e.Dir]
	if dr == nil || dr.version != v {
		if dr != nil {
			old := dr
			go func() { // once its readers are done
				old.mu.Lock()
				defer old.mu.Unlock()
				os.RemoveAll(old.dir)
			}()
		}
		dr = &drawnRun{version: v, dir: filepath.Join(d.cache, cacheName(v))}
		d.drawn[e.Dir] = dr
	}
	d.mu.Unlock()
	dr.mu.Lock()
	defer dr.mu.Unlock()
	if dr.done {
		return dr
	}
	dr.done = true
	out := dr.dir
	plots := filepath.Join(out, "plots")
	if err := os.MkdirAll(plots, 0o700); err != nil {
		dr.err = err
		return dr
	}
	rep, err := report.Build([]string{e.Dir}, report.Options{PlotDir: plots, OutDir: out})
	if err != nil {
		dr.err = err
		return dr
	}
	dr.html = rep.HTML()
	dr.plots = map[string]string{}
	des, _ := os.ReadDir(plots)
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".png") {
			dr.plots[de.Name()] = filepath.Join(plots, de.Name())
			dr.order = append(dr.order, de.Name())
		}
	}
	return dr
}

func (d *dashboard) handleReport(w http.ResponseWriter, r *http.Request) {
	e, ok := d.runDir(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no run folder called "+r.PathValue("name"))
		return
	}
	d.reportPage(w, e)
}

// reportPage is the report package's HTML report of one run folder.
func (d *dashboard) reportPage(w http.ResponseWriter, e entry) {
	dr := d.draw(e)
	if dr.err != nil {
		d.errorPage(w, http.StatusInternalServerError, "report: "+dr.err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'")
	w.Write([]byte(dr.html)) //nolint:errcheck
}

func (d *dashboard) handlePlot(w http.ResponseWriter, r *http.Request) {
	e, ok := d.runDir(r)
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no run folder called "+r.PathValue("name"))
		return
	}
	d.plotFile(w, r, e)
}

// plotFile serves one PNG the report package drew for e, chosen by name among them.
func (d *dashboard) plotFile(w http.ResponseWriter, r *http.Request, e entry) {
	dr := d.draw(e)
	path, ok := dr.plots[r.PathValue("file")] // only names the report wrote
	if !ok {
		d.errorPage(w, http.StatusNotFound, "no plot called "+r.PathValue("file"))
		return
	}
	dr.mu.Lock() // a newer drawing removes this one's files under the same lock
	b, err := os.ReadFile(path)
	dr.mu.Unlock()
	if err != nil {
		d.errorPage(w, http.StatusInternalServerError, "plot: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b) //nolint:errcheck
}
