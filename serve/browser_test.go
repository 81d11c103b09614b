package serve

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var screenshotDir = flag.String("serve.screenshots", "", "keep the dashboard screenshots of TestDashboardInBrowser in this folder")

// chromiumPath finds Debian's chromium; outside CI its absence skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found on PATH: CI must install the Debian package chromium")
	}
	t.Skip("chromium not found on PATH (Debian package chromium); the browser test runs in CI")
	return ""
}

// headless loads url in headless chromium, writing a 1280x900 screenshot to shot, and
// returns the DOM after the page loaded.
func headless(t *testing.T, chromium, url, shot string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir="+t.TempDir(), "--screenshot="+shot, "--window-size=1280,900",
		"--dump-dom", url)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("screenshot of %s: %v", url, err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 1280 || cfg.Height != 900 {
		t.Fatalf("screenshot of %s: %+v, %v", url, cfg, err)
	}
	return string(out)
}

// TestDashboardInBrowser serves the dashboard on 127.0.0.1 and loads every page in
// headless chromium: the DOM holds the expected content, and the run page's plots were
// fetched by the browser and answered as PNGs.
func TestDashboardInBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	var err error
	// The real detector, so that the result page shows a synthetic face found and boxed.
	d := realDetector(t)
	var face []byte
	for _, p := range realInputs(t, 8) {
		if d.DetectFile(context.Background(), p).OK() {
			if face, err = os.ReadFile(p); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if face == nil {
		t.Fatal("no synthetic image with a face found")
	}
	s, err := New(d, Options{RunsDir: runsFixture(t), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	base := serveReal(t, s)

	// The upload form's result: POST the form's target as the browser would, then show
	// the answer in the browser from a page that shares the server's style sheet.
	body, ct := multipartBody(t, map[string][]byte{"face.png": face})
	resp, err := http.Post(base+"/detect", ct, body)
	if err != nil {
		t.Fatal(err)
	}
	result := readAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(result, "probability of fake") || !strings.Contains(result, "data:image/png;base64,") {
		t.Fatalf("upload form result: %d\n%s", resp.StatusCode, result)
	}
	side := http.NewServeMux()
	side.HandleFunc("GET /result", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, result)
	})
	side.Handle("GET /static/style.css", s.Handler())
	sideLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sideSrv := &http.Server{Handler: side, ReadHeaderTimeout: 10 * time.Second}
	go sideSrv.Serve(sideLn)
	defer sideSrv.Close()

	shots := *screenshotDir
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		name, url string
		has       []string
	}{
		{"runs", base + "/", []string{"exp1", "exp2", "s1_dann", "lambda", "0.8000"}},
		{"run", base + "/runs/" + exp1, []string{"<h1>exp1</h1>", "val_auc.png", "gate.png", "fair_contribution.png", "train_loss.png"}},
		{"report", base + "/runs/" + exp1 + "/report", []string{"Experiment report: exp1"}},
		{"sweep", base + "/sweeps/lambda", []string{"Sweep lambda", "Pareto front", "pareto.png"}},
		{"upload", base + "/detect", []string{`type="file"`, "Detect"}},
		{"result", "http://" + sideLn.Addr().String() + "/result", []string{"face.png", "probability of fake"}},
	}
	var wg sync.WaitGroup
	doms := make([]string, len(pages))
	for i, p := range pages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doms[i] = headless(t, chromium, p.url, filepath.Join(shots, p.name+".png"))
		}()
	}
	wg.Wait()
	for i, p := range pages {
		for _, h := range p.has {
			if !strings.Contains(doms[i], h) {
				t.Errorf("%s page in chromium lacks %q", p.name, h)
			}
		}
	}
	// The browser fetched the run page's four curves, the report's plots and the
	// sweep's Pareto plot, and each was answered 200 with a PNG.
	metrics := do(s, "GET", "/metrics", nil, nil).Body.String()
	for _, line := range []string{`fairclip_http_requests_total{route="dashboard_plot",code="200"}`, `fairclip_http_requests_total{route="dashboard_pareto",code="200"}`} {
		var n int
		for _, l := range strings.Split(metrics, "\n") {
			if strings.HasPrefix(l, line+" ") {
				fmt.Sscan(strings.TrimPrefix(l, line+" "), &n)
			}
		}
		min := 1
		if strings.Contains(line, "dashboard_plot") {
			min = 4
		}
		if n < min {
			t.Errorf("%s = %d, want >= %d (images the browser loaded)", line, n, min)
		}
	}
	for _, code := range []string{"404", "500"} {
		if strings.Contains(metrics, `code="`+code+`"`) {
			t.Errorf("the browser met a %s:\n%s", code, metrics)
		}
	}
}
