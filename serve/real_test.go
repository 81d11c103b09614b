package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/fairclip/fairclip/detect"
	"github.com/fairclip/fairclip/detect/detecttest"
)

// The trained fixture run (detecttest: tiny synthetic data, tiny random ViT, one
// epoch) is built once, on first use, and removed after the tests.
var (
	realOnce sync.Once
	realFx   detecttest.Fixture
	realErr  error
	realDir  string
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	code := m.Run()
	if realDir != "" {
		os.RemoveAll(realDir)
	}
	os.Exit(code)
}

// realRun returns the trained fixture run, training it on first use.
func realRun(t testing.TB) detecttest.Fixture {
	t.Helper()
	realOnce.Do(func() {
		realDir, realErr = os.MkdirTemp("", "fairclip-serve-test-")
		if realErr == nil {
			realFx, realErr = detecttest.TrainedRun(context.Background(), realDir, nil)
		}
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realFx
}

// realDetector loads the fixture run's model (closed at the end of the test).
func realDetector(t testing.TB) *detect.Detector {
	t.Helper()
	fx := realRun(t)
	d, err := detect.Load(fx.Run, detect.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// realInputs are n synthetic face images (celebdf test split, lexical order) and a
// gradient without a face.
func realInputs(t testing.TB, n int) []string {
	t.Helper()
	fx := realRun(t)
	files, err := filepath.Glob(filepath.Join(fx.Data, "celebdf", "*", "*", "*.png"))
	if err != nil || len(files) < n {
		t.Fatalf("synthetic celebdf images: %d (%v)", len(files), err)
	}
	sort.Strings(files)
	files = files[:n]
	m := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := 0; y < 120; y++ {
		for x := 0; x < 160; x++ {
			m.Set(x, y, color.RGBA{uint8(x), uint8(2 * y), 90, 255})
		}
	}
	noFace := filepath.Join(t.TempDir(), "gradient.png")
	var buf bytes.Buffer
	png.Encode(&buf, m)
	if err := os.WriteFile(noFace, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(files, noFace)
}

// serveReal serves s on 127.0.0.1:0 until the end of the test and returns its URL.
func serveReal(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
}

// postFile sends one file to /v1/detect as multipart and returns status and body.
func postFile(client *http.Client, url, name string, data []byte) (int, []byte, error) {
	body, ct := multipartBody(nil, map[string][]byte{name: data})
	resp, err := client.Post(url+"/v1/detect", ct, body)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), err
}

// TestConcurrentRequestsMatchDetect sends every input from 16 goroutines at once over
// HTTP: each answer is byte for byte the JSON `fairclip detect --json` prints for the
// same file (DetectFile on its path, with the upload's name as file).
func TestConcurrentRequestsMatchDetect(t *testing.T) {
	d := realDetector(t)
	inputs := realInputs(t, 6)
	want := map[string][]byte{}
	wantCode := map[string]int{}
	datas := map[string][]byte{}
	faces := 0
	for _, p := range inputs {
		// What `fairclip detect --json` prints for the file, under the upload's name.
		r := d.DetectFile(context.Background(), p)
		r.File = filepath.Base(p)
		r.Error = strings.ReplaceAll(r.Error, p, r.File)
		if len(r.Faces) > 0 {
			faces++
		}
		b, err := json.Marshal(detect.NewReport(d.Model(), []detect.FileResult{r}))
		if err != nil {
			t.Fatal(err)
		}
		want[filepath.Base(p)] = b
		// One file per request: 200 when it was scored, 422 when it failed (no face).
		wantCode[filepath.Base(p)] = http.StatusOK
		if r.Error != "" {
			wantCode[filepath.Base(p)] = http.StatusUnprocessableEntity
		}
		if datas[filepath.Base(p)], err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	if faces == 0 {
		t.Fatal("the detector found no face in the synthetic images: nothing to compare")
	}
	if wantCode["gradient.png"] != http.StatusUnprocessableEntity {
		t.Fatalf("detect scored the faceless gradient: %s", want["gradient.png"])
	}
	s := newTestServer(t, d, Options{MaxConcurrent: 4, QueueSize: 64})
	url := serveReal(t, s)
	const workers, rounds = 16, 1
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds*len(inputs))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{}
			for r := 0; r < rounds; r++ {
				for i := range inputs {
					name := filepath.Base(inputs[(i+w)%len(inputs)])
					code, body, err := postFile(client, url, name, datas[name])
					if err != nil {
						errs <- err
						continue
					}
					var got bytes.Buffer
					if err := json.Compact(&got, body); err != nil {
						errs <- fmt.Errorf("%s: %v", name, err)
						continue
					}
					if code != wantCode[name] || !bytes.Equal(got.Bytes(), want[name]) {
						errs <- fmt.Errorf("%s: status %d (want %d)\n got %s\nwant %s", name, code, wantCode[name], got.Bytes(), want[name])
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	n := 0
	for err := range errs {
		if n++; n <= 3 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Errorf("%d of %d requests differ from detect", n, workers*rounds*len(inputs))
	}
}
