package serve

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. Zero values take the defaults below.
type Options struct {
	// Token, when not empty, turns on bearer-token auth for every route but /healthz and
	// the login page (the dashboard keeps the token in a same-site cookie).
	Token string
	// RunsDir is the folder whose run folders and sweeps the dashboard lists ("" = none).
	RunsDir string
	// MaxUploadBytes caps a detection request's body (413 above it). Default 64 MiB.
	MaxUploadBytes int64
	// MaxConcurrent is how many detection requests run at once. Default 16: the detector
	// itself bounds decoding to its workers and batches the faces of running requests
	// into shared model calls, so a few more running requests than cores fill batches.
	MaxConcurrent int
	// QueueSize is how many more detection requests may wait for a slot before the server
	// answers 429. Default 32.
	QueueSize int
	// RequestTimeout bounds a detection request's wait in the queue plus its inference
	// (504 after it). Default 2 minutes.
	RequestTimeout time.Duration
	// TempDir is where the server's private upload folder is made; "" = os.TempDir().
	TempDir string
	// Logger receives structured request logs; nil = discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxUploadBytes <= 0 {
		o.MaxUploadBytes = 64 << 20
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 16
	}
	if o.QueueSize < 0 {
		o.QueueSize = 0
	} else if o.QueueSize == 0 {
		o.QueueSize = 32
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server answers the API and the dashboard for one loaded model.
type Server struct {
	opts    Options
	scorer  Scorer
	log     *slog.Logger
	tmp     string // private upload folder (0700), removed by Close
	limit   *limiter
	metrics *serverMetrics
	dash    *dashboard
	handler http.Handler
	tokenH  [32]byte

	bg        sync.WaitGroup // inferences still running after their request timed out
	closeOnce sync.Once
}

// New builds a server around scorer. It makes the private upload folder; call Close to
// remove it.
func New(scorer Scorer, opts Options) (*Server, error) {
	if scorer == nil {
		return nil, errors.New("serve: no scorer")
	}
	opts = opts.withDefaults()
	if opts.RunsDir != "" {
		if st, err := os.Stat(opts.RunsDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("serve: runs folder %s is not a readable folder", opts.RunsDir)
		}
	}
	tmp, err := os.MkdirTemp(opts.TempDir, "fairclip-serve-")
	if err != nil {
		return nil, fmt.Errorf("serve: private upload folder: %w", err)
	}
	if err := os.Chmod(tmp, 0o700); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("serve: private upload folder: %w", err)
	}
	s := &Server{
		opts:   opts,
		scorer: scorer,
		log:    opts.Logger,
		tmp:    tmp,
		limit:  newLimiter(opts.MaxConcurrent, opts.QueueSize),
	}
	s.tokenH = sha256.Sum256([]byte(opts.Token))
	s.metrics = newServerMetrics(s.limit.waiting, func() int { return len(s.limit.running) })
	s.dash, err = newDashboard(s, tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's root handler (API and dashboard).
func (s *Server) Handler() http.Handler { return s.handler }

// Close waits for inferences that outlived their request, then removes the private
// upload folder. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.bg.Wait()
		err = os.RemoveAll(s.tmp)
	})
	return err
}

// route is one registered endpoint.
type route struct {
	pattern string // ServeMux pattern, method included
	name    string // the metrics and log label
	public  bool   // reachable without the token
	api     bool   // answers JSON errors (else HTML)
	h       http.HandlerFunc
}

func (s *Server) routeTable() []route {
	return []route{
		{"GET /healthz", "healthz", true, true, s.handleHealth},
		{"GET /metrics", "metrics", false, true, s.handleMetrics},
		{"GET /v1/model", "model", false, true, s.handleModel},
		{"POST /v1/detect", "detect", false, true, s.handleDetectAPI},
		{"GET /v1/openapi.json", "openapi", false, true, s.handleOpenAPI},
		{"GET /{$}", "dashboard_runs", false, false, s.dash.handleIndex},
		{"GET /runs/{name}", "dashboard_run", false, false, s.dash.handleRun},
		{"GET /runs/{name}/report", "dashboard_report", false, false, s.dash.handleReport},
		{"GET /runs/{name}/plots/{file}", "dashboard_plot", false, false, s.dash.handlePlot},
		{"GET /sweeps/{name}", "dashboard_sweep", false, false, s.dash.handleSweep},
		{"GET /sweeps/{name}/pareto.png", "dashboard_pareto", false, false, s.dash.handlePareto},
		{"GET /sweeps/{name}/trials/{id}", "dashboard_run", false, false, s.dash.handleTrial},
		{"GET /sweeps/{name}/trials/{id}/report", "dashboard_report", false, false, s.dash.handleTrialReport},
		{"GET /sweeps/{name}/trials/{id}/plots/{file}", "dashboard_plot", false, false, s.dash.handleTrialPlot},
		{"GET /detect", "dashboard_upload", false, false, s.dash.handleUploadForm},
		{"POST /detect", "dashboard_detect", false, false, s.dash.handleUpload},
		{"GET /static/style.css", "static", true, false, s.dash.handleCSS},
		{"GET /favicon.ico", "static", true, false, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }},
		{"GET /login", "login", true, false, s.dash.handleLoginForm},
		{"POST /login", "login", true, false, s.dash.handleLogin},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	names := map[string]string{}
	for _, rt := range s.routeTable() {
		h := http.Handler(rt.h)
		if !rt.public && s.opts.Token != "" {
			h = s.requireToken(rt.api, h)
		}
		mux.Handle(rt.pattern, h)
		names[rt.pattern] = rt.name
	}
	return s.instrument(names, mux)
}

// statusWriter remembers the status code and the bytes written.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts, times and logs each request, labelled with the name of the route
// the mux matched ("other" for 404s and 405s).
func (s *Server) instrument(names map[string]string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.begin()
		sw := &statusWriter{ResponseWriter: w}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		defer func() {
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			name, ok := names[r.Pattern]
			if !ok {
				name = "other"
			}
			s.metrics.end(name, code, d)
			level := slog.LevelInfo
			if code >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method), slog.String("route", name),
				slog.String("path", r.URL.Path), slog.Int("code", code),
				slog.Duration("duration", d), slog.Int64("bytes", sw.bytes),
				slog.String("remote", r.RemoteAddr))
		}()
		h.ServeHTTP(sw, r)
	})
}

// tokenCookie carries the token for the dashboard's pages, set by POST /login.
const tokenCookie = "fairclip_token"

// authorized compares the bearer token (or the dashboard cookie) with the server's in
// constant time: both sides are hashed first so that the length leaks nothing either.
func (s *Server) authorized(r *http.Request) bool {
	got, ok := "", false
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, found := strings.Cut(h, " ")
		if found && strings.EqualFold(scheme, "Bearer") {
			got, ok = strings.TrimSpace(tok), true
		}
	} else if c, err := r.Cookie(tokenCookie); err == nil {
		got, ok = c.Value, true
	}
	if !ok {
		return false
	}
	return s.tokenMatches(got)
}

func (s *Server) tokenMatches(tok string) bool {
	h := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(h[:], s.tokenH[:]) == 1
}

func (s *Server) requireToken(api bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authorized(r) {
			h.ServeHTTP(w, r)
			return
		}
		if !api && r.Method == http.MethodGet {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="fairclip"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
	})
}

// writeJSON answers v as indented JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v) //nolint:errcheck // the client went away; nothing to do
}

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, apiError{Error: msg})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w) //nolint:errcheck // the client went away
}

// drain discards what is left of a request body (bounded) so the connection can be reused.
func drain(r io.Reader) { io.Copy(io.Discard, io.LimitReader(r, 1<<20)) } //nolint:errcheck
