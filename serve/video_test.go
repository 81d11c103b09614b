package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/detect"
)

// TestVideoUpload posts a short video (synthetic faces encoded by ffmpeg): the API
// answers what detect gives for the file, the form's page shows the frames, and the
// detector's frame folder inside the private folder is gone afterwards.
func TestVideoUpload(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but ffmpeg is not on PATH (Debian package ffmpeg)")
		}
		t.Skip("ffmpeg not on PATH (Debian package ffmpeg); the video test runs in CI")
	}
	frames := t.TempDir()
	for i, p := range realInputs(t, 6)[:6] {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(frames, fmt.Sprintf("%03d.png", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	video := filepath.Join(t.TempDir(), "clip.mp4")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-framerate", "6", "-i", filepath.Join(frames, "%03d.png"),
		"-c:v", "mpeg4", "-q:v", "2", "-pix_fmt", "yuv420p", video).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	data, err := os.ReadFile(video)
	if err != nil {
		t.Fatal(err)
	}
	// One private folder for the server and the detector, as `fairclip serve` sets up.
	private := t.TempDir()
	d, err := detect.Load(realRun(t).Run, detect.Options{Frames: 4, TempDir: private})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r := d.DetectFile(context.Background(), video)
	if r.Kind != detect.KindVideo || len(r.Frames) != 4 {
		t.Fatalf("detect on the video: %+v", r)
	}
	r.File = "clip.mp4"
	r.Error = strings.ReplaceAll(r.Error, video, r.File)
	want, _ := json.Marshal(detect.NewReport(d.Model(), []detect.FileResult{r}))

	s := newTestServer(t, d, Options{TempDir: private})
	body, ct := multipartBody(t, map[string][]byte{"clip.mp4": data})
	rec := do(s, "POST", "/v1/detect", body, map[string]string{"Content-Type": ct})
	var got bytes.Buffer
	json.Compact(&got, rec.Body.Bytes())
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("video answer %d\n got %s\nwant %s", rec.Code, got.Bytes(), want)
	}
	body, ct = multipartBody(t, map[string][]byte{"clip.mp4": data})
	rec = do(s, "POST", "/detect", body, map[string]string{"Content-Type": ct})
	mustStatus(t, rec, 200)
	for _, h := range []string{"<h2>clip.mp4</h2>", "sampled frames had a face", "<th class=\"num\">frame</th>"} {
		if !strings.Contains(rec.Body.String(), h) {
			t.Errorf("video result page lacks %q", h)
		}
	}
	// Only the server's own folder remains in the private parent: no frame folder left.
	left, _ := filepath.Glob(filepath.Join(private, "*"))
	if len(left) != 1 || left[0] != s.tmp {
		t.Errorf("left in the private folder: %v", left)
	}
}
