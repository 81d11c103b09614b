package detect

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needFFmpeg skips a test when ffmpeg is not installed, except in CI (CI=true),
// where CI installs Debian's ffmpeg and the test must run.
func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, _, err := tools(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skipf("skipped: %v", err)
	}
}

// makeVideo encodes the first n synthetic celebdf frames (64x64) into an MP4 at
// 8 frames per second with ffmpeg's built-in MPEG-4 encoder.
func makeVideo(t *testing.T, path string, n int) {
	t.Helper()
	dir := t.TempDir()
	for i, p := range facePaths(t, n) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%03d.png", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-framerate", "8", "-i", filepath.Join(dir, "%03d.png"),
		"-c:v", "mpeg4", "-q:v", "2", "-pix_fmt", "yuv420p", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
}

func TestVideo(t *testing.T) {
	needFFmpeg(t)
	path := filepath.Join(t.TempDir(), "clip.mp4")
	makeVideo(t, path, 8)
	d := load(t, Options{Frames: 4, NoFaceDetect: true})
	r := d.DetectFile(context.Background(), path)
	if !r.OK() || r.Kind != KindVideo || r.Video == nil {
		t.Fatalf("video: %+v", r)
	}
	var idx []int
	sum := 0.0
	for _, f := range r.Frames {
		idx = append(idx, f.Index)
		if f.Prob == nil || len(f.Faces) != 1 {
			t.Fatalf("frame %d: %+v", f.Index, f)
		}
		sum += *f.Prob
		if want := float64(f.Index) / 8; f.TimeS != want {
			t.Errorf("frame %d at %v s, want %v", f.Index, f.TimeS, want)
		}
	}
	if fmt.Sprint(idx) != "[0 2 4 7]" {
		t.Errorf("frames %v, want [0 2 4 7] (linspace(0, 7, 4))", idx)
	}
	if v := r.Video; v.FramesSampled != 4 || v.FramesScored != 4 || v.Prob != sum/4 || *r.Prob != v.Prob || r.Width != 64 {
		t.Errorf("video score %+v (prob %v), want the mean %v of 4 frames", *v, *r.Prob, sum/4)
	}
	// A frame's score is the score of the same pixels as an image: write frame 0
	// out with ffmpeg and score it.
	png0 := filepath.Join(t.TempDir(), "f0.png")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-frames:v", "1", png0).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	if img := d.DetectFile(context.Background(), png0); !img.OK() || *img.Prob != *r.Frames[0].Prob {
		t.Errorf("frame 0: video %v, as an image %v (%s)", *r.Frames[0].Prob, img.Prob, img.Error)
	}
}

func TestBadVideos(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "clip.mp4")
	makeVideo(t, path, 8)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// ffmpeg writes the MP4 index (moov) at the end: the first 60% has none.
	cut := filepath.Join(dir, "truncated.mp4")
	if err := os.WriteFile(cut, b[:len(b)*6/10], 0o644); err != nil {
		t.Fatal(err)
	}
	d := load(t, Options{Frames: 4})
	if r := d.DetectFile(context.Background(), cut); r.ErrorKind != ErrVideo || !strings.Contains(r.Error, cut) {
		t.Errorf("truncated video: kind %q error %q, want %q naming the file", r.ErrorKind, r.Error, ErrVideo)
	}
	// A gradient video: every frame faceless.
	frames := t.TempDir()
	for i := range 3 {
		writePNG(t, filepath.Join(frames, fmt.Sprintf("%03d.png", i)), gradient(160, 120))
	}
	noface := filepath.Join(dir, "noface.mp4")
	if out, err := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-framerate", "8", "-i", filepath.Join(frames, "%03d.png"),
		"-c:v", "mpeg4", "-pix_fmt", "yuv420p", noface).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	r := d.DetectFile(context.Background(), noface)
	if r.ErrorKind != ErrNoFace || len(r.Frames) != 3 || r.Frames[0].ErrorKind != ErrNoFace {
		t.Errorf("faceless video: kind %q, %d frames %+v; want %q with 3 faceless frames", r.ErrorKind, len(r.Frames), r.Frames, ErrNoFace)
	}
	// Without ffmpeg on PATH the error names the Debian package.
	t.Setenv("PATH", t.TempDir())
	if r := d.DetectFile(context.Background(), path); r.ErrorKind != ErrNoFFmpeg || !strings.Contains(r.Error, "Debian package ffmpeg") {
		t.Errorf("no ffmpeg: kind %q error %q", r.ErrorKind, r.Error)
	}
}

// TestUploadedVideo: a video read from memory gets the file's answer, and its
// private temporary folder is gone afterwards.
func TestUploadedVideo(t *testing.T) {
	needFFmpeg(t)
	path := filepath.Join(t.TempDir(), "clip.mp4")
	makeVideo(t, path, 8)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	d := load(t, Options{Frames: 4, NoFaceDetect: true, TempDir: tmp})
	up := d.DetectReader(context.Background(), "../../etc/passwd", bytes.NewReader(b))
	file := d.DetectFile(context.Background(), path)
	if !up.OK() || !file.OK() || *up.Prob != *file.Prob || up.File != "../../etc/passwd" {
		t.Errorf("upload %v (%s), file %v (%s)", up.Prob, up.Error, file.Prob, file.Error)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary folder holds %d entries after the calls", len(left))
	}
}
