package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/fairclip/fairclip/detect"
	"github.com/fairclip/fairclip/sweep"
)

// fakeScorer answers without a model: a decodable image gets one face in its centre
// with a probability derived from its bytes; anything else is "unreadable". When gate
// is not nil every call waits for it to close (or for its context to end).
type fakeScorer struct {
	gate    chan struct{}
	started atomic.Int64
}

func (f *fakeScorer) Model() detect.ModelInfo {
	return detect.ModelInfo{Run: "runs/fake", Checkpoint: "best.safetensors", Epoch: 3, ConfigHash: "cafe",
		Backbone: "random:tiny", Threshold: 0.5, ThresholdRule: "fixed", FaceDetector: "fake", CropScale: detect.CropScale, Frames: 32}
}

func (f *fakeScorer) DetectReader(ctx context.Context, name string, r io.Reader) detect.FileResult {
	f.started.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return detect.FileResult{File: name, Error: name + ": " + ctx.Err().Error(), ErrorKind: detect.ErrCanceled}
		}
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return detect.FileResult{File: name, Error: err.Error(), ErrorKind: detect.ErrUnreadable}
	}
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return detect.FileResult{File: name, Error: name + ": not an image", ErrorKind: detect.ErrUnreadable}
	}
	sum := sha256.Sum256(b)
	p := float64(binary.BigEndian.Uint16(sum[:2])) / 65535
	label := detect.LabelReal
	if p >= 0.5 {
		label = detect.LabelFake
	}
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	box := detect.Box{X: w / 4, Y: h / 4, W: w / 2, H: h / 2}
	return detect.FileResult{File: name, Kind: detect.KindImage, Width: w, Height: h, Prob: &p, Label: label, Threshold: 0.5,
		Faces: []detect.Face{{Box: box, Crop: box, DetectorScore: 9, Prob: p, Label: label}}}
}

// testPNG is a small PNG whose pixels depend on seed.
func testPNG(t testing.TB, seed int) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			m.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), uint8(seed * 37), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody is a multipart/form-data body with one file part per file.
func multipartBody(_ testing.TB, files map[string][]byte) (io.Reader, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, data := range files {
		fw, _ := mw.CreateFormFile("file", name) // writes to memory: no error
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// newTestServer builds a server over scorer; it is closed at the end of the test,
// and the test fails if an upload was left in the private folder.
func newTestServer(t *testing.T, scorer Scorer, opts Options) *Server {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	s, err := New(scorer, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if left := uploadsLeft(t, s); len(left) > 0 {
			t.Errorf("uploads left in the private folder: %v", left)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if _, err := os.Stat(s.tmp); !os.IsNotExist(err) {
			t.Errorf("private folder %s not removed: %v", s.tmp, err)
		}
	})
	return s
}

// uploadsLeft lists files of the private folder other than the dashboard's cache.
func uploadsLeft(t *testing.T, s *Server) []string {
	t.Helper()
	des, err := os.ReadDir(s.tmp)
	if os.IsNotExist(err) {
		return nil // Serve closed the server and removed the folder
	}
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, de := range des {
		if de.Name() != "dashboard" {
			left = append(left, de.Name())
		}
	}
	return left
}

// do sends one request through the handler.
func do(s *Server, method, target string, body io.Reader, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// reportRuns are the report package's fixture run folders (read only).
const reportRuns = "../report/testdata/runs"

// runsFixture makes a runs folder: links to the report's fixture runs, and a sweep
// "lambda" whose trials are those runs.
func runsFixture(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	src, err := filepath.Abs(reportRuns)
	if err != nil {
		t.Fatal(err)
	}
	des, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		if err := os.Symlink(filepath.Join(src, de.Name()), filepath.Join(dir, de.Name())); err != nil {
			t.Fatal(err)
		}
	}
	sw := filepath.Join(dir, "lambda")
	if err := os.Mkdir(sw, 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := sweep.OpenStore(sweep.StorePath(sw))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetMeta("objectives", "val_auc:max,val_f_fpr:min"); err != nil {
		t.Fatal(err)
	}
	trials := []sweep.Trial{
		{ID: 0, State: sweep.StateComplete, Params: map[string]any{"loss_weighting.lambda_fair": 0.05}, Values: []float64{0.80, 0.12},
			RunDir: filepath.Join(src, "exp1_baseline_2026-01-28-10-00-00")},
		{ID: 1, State: sweep.StateComplete, Params: map[string]any{"loss_weighting.lambda_fair": 0.5}, Values: []float64{0.78, 0.05},
			RunDir: filepath.Join(src, "exp2_fairness_boost_2026-01-28-11-00-00")},
		{ID: 2, State: sweep.StateComplete, Params: map[string]any{"loss_weighting.lambda_fair": 0.15}, Values: []float64{0.75, 0.13},
			RunDir: filepath.Join(src, "exp3_balanced_recovery_2026-01-28-12-00-00")},
		{ID: 3, State: sweep.StateFailed, Params: map[string]any{"loss_weighting.lambda_fair": 2.0}, Values: []float64{math.NaN(), math.NaN()},
			Error: "loss became NaN at epoch 2"},
	}
	for _, tr := range trials {
		if err := st.Put(tr); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("status %d, want %d; body: %s", rec.Code, want, rec.Body.String())
	}
}

var _ = http.StatusOK
