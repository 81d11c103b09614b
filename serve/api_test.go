package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fairclip/fairclip/detect"
)

func decodeReport(t *testing.T, body []byte) detect.Report {
	t.Helper()
	var rep detect.Report
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, body)
	}
	return rep
}

func TestDetectEndpoint(t *testing.T) {
	fs := &fakeScorer{}
	s := newTestServer(t, fs, Options{})
	img1, img2 := testPNG(t, 1), testPNG(t, 2)
	want1 := fs.DetectReader(context.Background(), "a.png", bytes.NewReader(img1))
	want2 := fs.DetectReader(context.Background(), "b.png", bytes.NewReader(img2))
	mp1, ct1 := multipartBody(t, map[string][]byte{"../../etc/a.png": img1})
	mpBad, ctBad := multipartBody(t, map[string][]byte{"x.png": []byte("not a png")})
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct {
		name, ctype string
		body        string
		code        int
		want        []detect.FileResult // nil: an error body
		errHas      string
	}{
		{"multipart", ct1, readAll(mp1), 200, []detect.FileResult{want1}, ""},
		{"json one", "application/json", js(map[string]string{"name": "a.png", "data": b64(img1)}), 200, []detect.FileResult{want1}, ""},
		{"json files", "application/json; charset=utf-8", js(map[string]any{"files": []map[string]string{{"name": "a.png", "data": b64(img1)}, {"name": "b.png", "data": b64(img2)}}}), 200, []detect.FileResult{want1, want2}, ""},
		{"json unpadded base64", "application/json", js(map[string]string{"name": "a.png", "data": strings.TrimRight(b64(img1), "=")}), 200, []detect.FileResult{want1}, ""},
		{"unreadable file", ctBad, readAll(mpBad), 422, []detect.FileResult{{File: "x.png", Error: "x.png: not an image", ErrorKind: detect.ErrUnreadable}}, ""},
		{"bad base64", "application/json", `{"name":"a.png","data":"!!!"}`, 400, nil, "base64"},
		{"unknown JSON field", "application/json", `{"path":"/etc/passwd"}`, 400, nil, "unknown field"},
		{"no file", "application/json", `{}`, 400, nil, "no file"},
		{"wrong content type", "text/plain", "hello", 415, nil, "content type"},
		{"broken multipart", "multipart/form-data; boundary=xyz", "--xyz\r\nbroken", 400, nil, "multipart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(s, "POST", "/v1/detect", strings.NewReader(tc.body), map[string]string{"Content-Type": tc.ctype})
			mustStatus(t, rec, tc.code)
			if tc.want == nil {
				var e apiError
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || !strings.Contains(e.Error, tc.errHas) {
					t.Fatalf("error body %s: want a JSON error containing %q", rec.Body, tc.errHas)
				}
				return
			}
			rep := decodeReport(t, rec.Body.Bytes())
			wantRep := detect.NewReport(fs.Model(), tc.want)
			got, _ := json.Marshal(rep)
			exp, _ := json.Marshal(wantRep)
			if !bytes.Equal(got, exp) {
				t.Fatalf("report\n got %s\nwant %s", got, exp)
			}
		})
	}
}

func readAll(r interface{ Read([]byte) (int, error) }) string {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			return b.String()
		}
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"face.png":            "face.png",
		"../../etc/passwd":    "passwd",
		`C:\Users\x\clip.mp4`: "clip.mp4",
		"/":                   "upload",
		"":                    "upload",
		"a\x00b\nc.png":       "abc.png",
		"..":                  "..",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSmallEndpoints(t *testing.T) {
	fs := &fakeScorer{}
	s := newTestServer(t, fs, Options{})
	rec := do(s, "GET", "/healthz", nil, nil)
	mustStatus(t, rec, 200)
	if strings.TrimSpace(rec.Body.String()) != "{\n  \"status\": \"ok\"\n}" {
		t.Errorf("healthz body %q", rec.Body)
	}
	rec = do(s, "GET", "/v1/model", nil, nil)
	mustStatus(t, rec, 200)
	var m detect.ModelInfo
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m.Run != fs.Model().Run || m.Threshold != 0.5 || m.Backbone != "random:tiny" {
		t.Errorf("model %+v (%v)", m, err)
	}
	rec = do(s, "GET", "/nope", nil, nil)
	mustStatus(t, rec, 404)
	rec = do(s, "DELETE", "/v1/model", nil, nil)
	mustStatus(t, rec, 405)
}

// TestOpenAPI checks the document is OpenAPI 3 JSON and lists every route of the table.
func TestOpenAPI(t *testing.T) {
	s := newTestServer(t, &fakeScorer{}, Options{})
	rec := do(s, "GET", "/v1/openapi.json", nil, nil)
	mustStatus(t, rec, 200)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	routes := map[string]bool{}
	for _, rt := range s.routeTable() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.TrimSuffix(path, "{$}")
		routes[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s missing from openapi.json", rt.pattern)
		}
	}
	for path, ops := range doc.Paths {
		for op := range ops {
			if !routes[op+" "+path] {
				t.Errorf("openapi.json lists %s %s, which is not a route", op, path)
			}
		}
	}
}

func TestAuth(t *testing.T) {
	const token = "s3cret-token"
	img := testPNG(t, 3)
	for _, on := range []bool{false, true} {
		opts := Options{}
		if on {
			opts.Token = token
		}
		s := newTestServer(t, &fakeScorer{}, opts)
		deny := func(code int) int {
			if on {
				return code
			}
			return 200
		}
		tests := []struct {
			name, method, target, auth string
			want                       int
		}{
			{"healthz open", "GET", "/healthz", "", 200},
			{"model no token", "GET", "/v1/model", "", deny(401)},
			{"model wrong token", "GET", "/v1/model", "Bearer nope", deny(401)},
			{"model longer token", "GET", "/v1/model", "Bearer " + token + "x", deny(401)},
			{"model basic scheme", "GET", "/v1/model", "Basic " + token, deny(401)},
			{"model token", "GET", "/v1/model", "Bearer " + token, 200},
			{"metrics no token", "GET", "/metrics", "", deny(401)},
			{"openapi no token", "GET", "/v1/openapi.json", "", deny(401)},
			{"dashboard redirects to login", "GET", "/", "", deny(303)},
			{"dashboard token", "GET", "/", "Bearer " + token, 200},
			{"css open", "GET", "/static/style.css", "", 200},
		}
		for _, tc := range tests {
			rec := do(s, tc.method, tc.target, nil, map[string]string{"Authorization": tc.auth})
			if rec.Code != tc.want {
				t.Errorf("auth %v, %s: status %d, want %d", on, tc.name, rec.Code, tc.want)
			}
			if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("auth %v, %s: 401 without WWW-Authenticate", on, tc.name)
			}
		}
		body, ct := multipartBody(t, map[string][]byte{"a.png": img})
		rec := do(s, "POST", "/v1/detect", body, map[string]string{"Content-Type": ct})
		mustStatus(t, rec, deny(401))
		if fs := s.scorer.(*fakeScorer); on && fs.started.Load() != 0 {
			t.Errorf("an unauthorized request reached the scorer")
		}
		if !on {
			continue
		}
		// The login form sets a cookie the dashboard accepts.
		rec = do(s, "POST", "/login", strings.NewReader("token=wrong"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		mustStatus(t, rec, 401)
		mp, mpType := multipartBody(t, map[string][]byte{"token": []byte(token)})
		rec = do(s, "POST", "/login", mp, map[string]string{"Content-Type": mpType})
		mustStatus(t, rec, 415)
		rec = do(s, "POST", "/login", strings.NewReader("token="+token), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		mustStatus(t, rec, 303)
		cookie := rec.Result().Cookies()
		if len(cookie) != 1 || cookie[0].Name != tokenCookie || !cookie[0].HttpOnly || cookie[0].SameSite != http.SameSiteStrictMode {
			t.Fatalf("login cookies %+v", cookie)
		}
		rec = do(s, "GET", "/", nil, map[string]string{"Cookie": cookie[0].String()})
		mustStatus(t, rec, 200)
		rec = do(s, "GET", "/", nil, map[string]string{"Cookie": tokenCookie + "=wrong"})
		mustStatus(t, rec, 303)
	}
}

func TestBodyLimit(t *testing.T) {
	s := newTestServer(t, &fakeScorer{}, Options{MaxUploadBytes: 2048})
	big := bytes.Repeat([]byte("x"), 8192)
	body, ct := multipartBody(t, map[string][]byte{"big.png": big})
	rec := do(s, "POST", "/v1/detect", body, map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 413)
	rec = do(s, "POST", "/v1/detect", strings.NewReader(`{"name":"a","data":"`+base64.StdEncoding.EncodeToString(big)+`"}`),
		map[string]string{"Content-Type": "application/json"})
	mustStatus(t, rec, 413)
	rec = do(s, "POST", "/detect", bytes.NewReader(big), map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 413) // the form's target too
	if fs := s.scorer.(*fakeScorer); fs.started.Load() != 0 {
		t.Errorf("an oversized request reached the scorer")
	}
}

// waitFor polls cond (synchronization, not timing: the deadline only stops a hung test).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestQueueFull(t *testing.T) {
	fs := &fakeScorer{gate: make(chan struct{})}
	s := newTestServer(t, fs, Options{MaxConcurrent: 1, QueueSize: 1})
	img := testPNG(t, 4)
	send := func() *httpResult {
		body, ct := multipartBody(t, map[string][]byte{"a.png": img})
		rec := do(s, "POST", "/v1/detect", body, map[string]string{"Content-Type": ct})
		return &httpResult{rec.Code, rec.Header().Get("Retry-After"), rec.Body.String()}
	}
	var wg sync.WaitGroup
	results := make([]*httpResult, 2)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = send() }()
		// One running, then one waiting: wait for each to be in place.
		if i == 0 {
			waitFor(t, "the first detection to run", func() bool { return fs.started.Load() == 1 })
		} else {
			waitFor(t, "the second request to queue", func() bool { return s.limit.waiting() == 1 })
		}
	}
	third := send()
	if third.code != 429 || third.retryAfter == "" || !strings.Contains(third.body, "inference slots busy") {
		t.Errorf("third request: %+v, want 429 with Retry-After", third)
	}
	close(fs.gate)
	wg.Wait()
	for i, r := range results {
		if r.code != 200 {
			t.Errorf("request %d: %+v", i, r)
		}
	}
	metrics := do(s, "GET", "/metrics", nil, nil).Body.String()
	for _, line := range []string{
		`fairclip_http_requests_total{route="detect",code="200"} 2`,
		`fairclip_http_requests_total{route="detect",code="429"} 1`,
		`fairclip_http_errors_total{route="detect",class="client"} 1`,
	} {
		if !strings.Contains(metrics, line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, metrics)
		}
	}
}

type httpResult struct {
	code       int
	retryAfter string
	body       string
}

func TestTimeout(t *testing.T) {
	fs := &fakeScorer{gate: make(chan struct{})}
	s := newTestServer(t, fs, Options{MaxConcurrent: 1, QueueSize: 4, RequestTimeout: 30 * time.Millisecond})
	body, ct := multipartBody(t, map[string][]byte{"a.png": testPNG(t, 5)})
	rec := do(s, "POST", "/v1/detect", body, map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 504)
	if !strings.Contains(rec.Body.String(), "did not finish within 30ms") {
		t.Errorf("body %s", rec.Body)
	}
	// The fake honours its context: the slot frees and the next request runs.
	close(fs.gate)
	body, ct = multipartBody(t, map[string][]byte{"a.png": testPNG(t, 5)})
	s.opts.RequestTimeout = time.Minute
	rec = do(s, "POST", "/v1/detect", body, map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 200)
}

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (\S+)$`)

// TestMetricsFormat parses /metrics as the Prometheus text format and checks the
// histogram against the requests sent.
func TestMetricsFormat(t *testing.T) {
	s := newTestServer(t, &fakeScorer{}, Options{})
	for i := 0; i < 3; i++ {
		do(s, "GET", "/healthz", nil, nil)
	}
	do(s, "GET", "/missing", nil, nil)
	rec := do(s, "GET", "/metrics", nil, nil)
	mustStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
	types := map[string]string{}
	values := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	var prevBucket float64 = -1
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# TYPE ") {
			f := strings.Fields(line)
			types[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a sample line: %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("value in %q: %v", line, err)
		}
		base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m[1], "_bucket"), "_sum"), "_count")
		if _, ok := types[base]; !ok {
			t.Errorf("sample %q before its # TYPE", line)
		}
		values[m[1]+m[2]] = v
		if strings.HasSuffix(m[1], "_bucket") && strings.Contains(m[2], `route="healthz"`) {
			if v < prevBucket {
				t.Errorf("histogram buckets not cumulative at %q", line)
			}
			prevBucket = v
		}
	}
	checks := map[string]float64{
		`fairclip_http_requests_total{route="healthz",code="200"}`:                 3,
		`fairclip_http_requests_total{route="other",code="404"}`:                   1,
		`fairclip_http_errors_total{route="other",class="client"}`:                 1,
		`fairclip_http_request_duration_seconds_count{route="healthz"}`:            3,
		`fairclip_http_request_duration_seconds_bucket{route="healthz",le="+Inf"}`: 3,
		`fairclip_http_requests_in_flight`:                                         1, // this scrape
		`fairclip_inferences_running`:                                              0,
		`fairclip_inferences_waiting`:                                              0,
	}
	for k, want := range checks {
		if got, ok := values[k]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", k, got, ok, want)
		}
	}
	for name, typ := range map[string]string{"fairclip_http_requests_total": "counter", "fairclip_http_request_duration_seconds": "histogram", "fairclip_http_requests_in_flight": "gauge"} {
		if types[name] != typ {
			t.Errorf("%s has type %q, want %s", name, types[name], typ)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true},
		{"localhost:0", "", true},
		{"[::1]:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"192.168.1.5:80", "", false},
		{"0.0.0.0:8080", "t", true},
		{"nonsense", "", false},
	}
	for _, tc := range tests {
		if err := CheckAddr(tc.addr, tc.token); (err == nil) != tc.ok {
			t.Errorf("CheckAddr(%q, %q) = %v, want ok=%v", tc.addr, tc.token, err, tc.ok)
		}
	}
}

// TestShutdownFinishesInFlight cancels Serve's context while a detection runs: the
// listener closes, the running request still gets its answer, Serve returns nil and
// the private folder is gone.
func TestShutdownFinishesInFlight(t *testing.T) {
	fs := &fakeScorer{gate: make(chan struct{})}
	s, err := New(fs, Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	type answer struct {
		code int
		body string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		body, ct := multipartBody(t, map[string][]byte{"a.png": testPNG(t, 6)})
		resp, err := http.Post(url+"/v1/detect", ct, body)
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, err = fmt.Fprint(&b, readAll(resp.Body))
		got <- answer{resp.StatusCode, b.String(), err}
	}()
	waitFor(t, "the detection to start", func() bool { return fs.started.Load() == 1 })
	cancel() // what SIGTERM does in `fairclip serve`
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case <-served:
		t.Fatal("Serve returned while a request was in flight")
	default:
	}
	close(fs.gate)
	a := <-got
	if a.err != nil || a.code != 200 || !strings.Contains(a.body, `"label"`) {
		t.Fatalf("in-flight request: %+v", a)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		t.Error("still accepting connections after shutdown")
	}
	if _, err := os.Stat(s.tmp); !os.IsNotExist(err) {
		t.Errorf("private folder not removed: %v", err)
	}
}
