package serve

import (
	"bytes"
	"encoding/base64"
	"html"
	"image"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/detect"
	"github.com/fairclip/fairclip/sweep"
)

const exp1 = "exp1_baseline_2026-01-28-10-00-00"

// imgSrcs lists the src attributes of the page's <img> tags.
func imgSrcs(html string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<img[^>]* src="([^"]+)"`).FindAllStringSubmatch(html, -1) {
		out = append(out, strings.ReplaceAll(m[1], "&amp;", "&"))
	}
	return out
}

// checkPNG fetches target and decodes it as a PNG.
func checkPNG(t *testing.T, s *Server, target string) image.Image {
	t.Helper()
	rec := do(s, "GET", target, nil, nil)
	mustStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); ct != "image/png" {
		t.Fatalf("%s: content type %q", target, ct)
	}
	m, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	if b := m.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Fatalf("%s: a %v plot", target, b)
	}
	return m
}

func TestDashboardPages(t *testing.T) {
	s := newTestServer(t, &fakeScorer{}, Options{RunsDir: runsFixture(t)})
	tests := []struct {
		target string
		code   int
		has    []string
	}{
		// Every fixture run by name; exp1's best epoch (3) has val AUC 0.8 and F_FPR 1.6689 in its events.jsonl.
		{"/", 200, []string{">exp1<", ">exp2<", ">exp3<", ">exp4<", ">s1_dann<", ">s1_linear<", `href="/runs/` + exp1 + `"`,
			"0.8000", "166.89%", "completed", "incomplete", `href="/sweeps/lambda"`, "val_auc (max), val_f_fpr (min)"}},
		{"/runs/" + exp1, 200, []string{"<h1>exp1</h1>", "best epoch 3", "test celebdf", "/runs/" + exp1 + "/plots/val_auc.png",
			"/plots/train_loss.png", "/plots/gate.png", "/plots/fair_contribution.png", `href="/runs/` + exp1 + `/report"`}},
		{"/runs/exp4_crashed_2026-01-28-13-00-00", 200, []string{"<h1>exp4</h1>", "incomplete", "no end"}},
		{"/runs/s1_dann_2026-02-01-09-00-00", 200, []string{"<h1>s1_dann</h1>", "stage 1"}},
		{"/runs/" + exp1 + "/report", 200, []string{"Experiment report: exp1", `src="plots/val_auc.png"`}},
		// Trials 0 (best val_auc 0.80) and 1 (best val_f_fpr 0.05) are the front; 2 is dominated by 0.
		{"/sweeps/lambda", 200, []string{"Sweep lambda", "3 complete", "1 failed", "loss became NaN", `/sweeps/lambda/pareto.png`,
			`href="/sweeps/lambda/trials/1"`, "loss_weighting.lambda_fair=0.5"}},
		{"/sweeps/lambda/trials/1", 200, []string{"<h1>exp2</h1>", "/sweeps/lambda/trials/1/plots/val_auc.png"}},
		{"/sweeps/lambda/trials/3", 404, nil},
		{"/detect", 200, []string{`action="/detect"`, `enctype="multipart/form-data"`, `type="file"`}},
		{"/runs/nope", 404, []string{"no run folder called nope"}},
		{"/runs/..%2F..%2Fetc", 404, nil},
		{"/runs/" + exp1 + "/plots/..%2Fconfig.yaml", 404, nil},
		{"/runs/" + exp1 + "/plots/config.yaml", 404, nil},
		{"/sweeps/" + exp1, 404, nil},
	}
	for _, tc := range tests {
		rec := do(s, "GET", tc.target, nil, nil)
		if rec.Code != tc.code {
			t.Errorf("%s: status %d, want %d", tc.target, rec.Code, tc.code)
			continue
		}
		body := rec.Body.String()
		for _, h := range tc.has {
			if !strings.Contains(body, h) {
				t.Errorf("%s: page lacks %q", tc.target, h)
			}
		}
	}
	// The Pareto front table lists exactly trials 0 and 1.
	sweepPage := do(s, "GET", "/sweeps/lambda", nil, nil).Body.String()
	front := sweepPage[strings.Index(sweepPage, "Pareto front"):strings.Index(sweepPage, "<h2>Trials")]
	for id, want := range map[string]bool{"#0": true, "#1": true, "#2": false, "#3": false} {
		if strings.Contains(front, ">"+id+"<") != want {
			t.Errorf("Pareto front table: %s shown = %v, want %v", id, !want, want)
		}
	}
	// Every image of the run, trial and sweep pages is a PNG the server draws.
	for _, page := range []string{"/runs/" + exp1, "/sweeps/lambda", "/sweeps/lambda/trials/1"} {
		srcs := imgSrcs(do(s, "GET", page, nil, nil).Body.String())
		if len(srcs) == 0 {
			t.Errorf("%s: no images", page)
		}
		for _, src := range srcs {
			checkPNG(t, s, src)
		}
	}
	// The report's relative plot links resolve below the report's URL.
	for _, src := range imgSrcs(do(s, "GET", "/runs/"+exp1+"/report", nil, nil).Body.String()) {
		checkPNG(t, s, "/runs/"+exp1+"/"+src)
	}
}

// TestUploadForm posts to the form's target and checks the result page: the verdict,
// and the face box drawn on the image in the label's colour.
func TestUploadForm(t *testing.T) {
	fs := &fakeScorer{}
	s := newTestServer(t, fs, Options{})
	img := testPNG(t, 7)
	want := fs.DetectReader(t.Context(), "face.png", bytes.NewReader(img))
	body, ct := multipartBody(t, map[string][]byte{"face.png": img})
	rec := do(s, "POST", "/detect", body, map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 200)
	page := rec.Body.String()
	for _, h := range []string{"<h2>face.png</h2>", `class="label ` + want.Label + `"`, "probability of fake <b>" + fmtProb(want.Prob) + "</b>", "image 64×48"} {
		if !strings.Contains(page, h) {
			t.Errorf("result page lacks %q", h)
		}
	}
	m := regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no drawn image on the result page")
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := realColor
	if want.Label == detect.LabelFake {
		c = fakeColor
	}
	box := want.Faces[0].Box
	// A 64x48 upload is drawn 7 times larger (480/64, whole factor).
	if got := drawn.Bounds().Size(); got.X != 7*64 || got.Y != 7*48 {
		t.Fatalf("drawn image %v, want 448x336", got)
	}
	const k = 7
	// The box's bottom-right corner is on the outline (the label tag covers the top-left).
	r, g, b, _ := drawn.At(k*(box.X+box.W)-1, k*(box.Y+box.H)-1).RGBA()
	if uint8(r>>8) != c.R || uint8(g>>8) != c.G || uint8(b>>8) != c.B {
		t.Errorf("box corner colour %d,%d,%d, want %v", r>>8, g>>8, b>>8, c)
	}
	// Inside the box, below the label tag, the image is unchanged.
	r0, g0, b0, _ := drawn.At(k*(box.X+box.W/2), k*(box.Y+box.H)-30).RGBA()
	orig, _ := png.Decode(bytes.NewReader(img))
	r1, g1, b1, _ := orig.At(box.X+box.W/2, (k*(box.Y+box.H)-30)/k).RGBA()
	if r0 != r1 || g0 != g1 || b0 != b1 {
		t.Errorf("pixel inside the box changed")
	}
	// A file the detector cannot read is shown as such.
	body, ct = multipartBody(t, map[string][]byte{"notes.txt": []byte("hello")})
	rec = do(s, "POST", "/detect", body, map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 200)
	if !strings.Contains(rec.Body.String(), "notes.txt: not an image") || strings.Contains(rec.Body.String(), "data:image/png") {
		t.Errorf("error result page:\n%s", rec.Body)
	}
}

func fmtProb(p *float64) string { return funcs["prob"].(func(*float64) string)(p) }

// copyDir copies the regular files of a run folder tree.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if de.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDashboardFollowsRun: a run that is still writing events is drawn again when its
// events change, and the older drawing's files are removed; a sweep moved away from
// the folder its store recorded still links its trials.
func TestDashboardFollowsRun(t *testing.T) {
	runsDir := t.TempDir()
	run := filepath.Join(runsDir, "live")
	copyDir(t, filepath.Join(reportRuns, "exp4_crashed_2026-01-28-13-00-00"), run)
	s := newTestServer(t, &fakeScorer{}, Options{RunsDir: runsDir})
	drawings := func() []string {
		des, err := os.ReadDir(filepath.Join(s.tmp, "dashboard"))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, de := range des {
			out = append(out, de.Name())
		}
		return out
	}
	page := do(s, "GET", "/runs/live", nil, nil).Body.String()
	if !strings.Contains(page, "2/4 epochs") {
		t.Fatalf("live run page before: %s", page)
	}
	before := drawings()
	// Epoch 3 arrives: the copy of epoch 2's line with the epoch changed.
	events := filepath.Join(run, "events.jsonl")
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture crashed mid-line: keep its complete lines, as a resumed run would.
	b = b[:bytes.LastIndexByte(b, '\n')+1]
	var epoch2 string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, `"type": "epoch"`) && strings.Contains(line, `"epoch": 2,`) {
			epoch2 = line
		}
	}
	if epoch2 == "" {
		t.Fatal("no epoch 2 line in the fixture")
	}
	line3 := strings.Replace(epoch2, `"epoch": 2,`, `"epoch": 3,`, 1)
	if err := os.WriteFile(events, append(b, []byte(line3+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	page = do(s, "GET", "/runs/live", nil, nil).Body.String()
	if !strings.Contains(page, "3/4 epochs") {
		t.Errorf("live run page after a new epoch lacks 3/4 epochs")
	}
	checkPNG(t, s, "/runs/live/plots/val_auc.png")
	waitFor(t, "the older drawing to be removed", func() bool {
		after := drawings()
		return len(after) == 1 && len(before) == 1 && after[0] != before[0]
	})
}

func TestTrialRunDirFallback(t *testing.T) {
	sw := t.TempDir()
	moved := sweep.TrialDir(sw, 5)
	copyDir(t, filepath.Join(reportRuns, exp1), moved)
	tests := []struct {
		recorded, want string
	}{
		{moved, moved},
		{"sweeps/elsewhere/trials/5", moved}, // relative to the directory the sweep ran in
		{"", moved},
	}
	for _, tc := range tests {
		if got := trialRunDir(sw, sweep.Trial{ID: 5, RunDir: tc.recorded}); got != tc.want {
			t.Errorf("trialRunDir(%q) = %q, want %q", tc.recorded, got, tc.want)
		}
	}
	if got := trialRunDir(sw, sweep.Trial{ID: 6}); got != "" {
		t.Errorf("trial without a run folder: %q", got)
	}
}
