package detect

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fairclip/fairclip/data"
	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/train"
)

// load opens the fixture run with opts and closes it at the end of the test.
func load(t *testing.T, opts Options) *Detector {
	t.Helper()
	d, err := Load(fx.Run, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// facePaths are the first n synthetic celebdf test images in lexical order.
func facePaths(t *testing.T, n int) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fx.Data, "celebdf", "*", "*", "*.png"))
	if err != nil || len(files) < n {
		t.Fatalf("synthetic celebdf images: %d found (%v)", len(files), err)
	}
	sort.Strings(files)
	return files[:n]
}

// evalScores runs `fairclip eval`'s library call on celebdf and returns the
// score of every sample path.
func evalScores(t *testing.T) map[string]float64 {
	t.Helper()
	src, err := train.NewFeatureSource(fx.Config, features.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	res, err := train.Eval(train.EvalOptions{Run: fx.Run, Datasets: []string{"celebdf"}, Source: src})
	if err != nil {
		t.Fatal(err)
	}
	in, err := metrics.ReadScoresCSV(res[0].ScoresFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for i, p := range in.Paths {
		out[p] = in.Scores[i]
	}
	return out
}

// TestScoresEqualEval: a training-style crop scored with NoFaceDetect gets
// exactly the probability `fairclip eval` wrote for the same sample (the head
// computes in float32; the score CSVs hold the shortest float32 decimal).
func TestScoresEqualEval(t *testing.T) {
	want := evalScores(t)
	paths := facePaths(t, 40)
	d := load(t, Options{NoFaceDetect: true})
	results, _ := d.DetectPaths(context.Background(), paths, nil)
	for _, r := range results {
		rel, err := filepath.Rel(fx.Data, r.File)
		if err != nil {
			t.Fatal(err)
		}
		w, ok := want[filepath.ToSlash(rel)]
		if !ok {
			t.Fatalf("%s has no eval score", r.File)
		}
		if !r.OK() {
			t.Fatalf("%s: %s", r.File, r.Error)
		}
		if got := float32(*r.Prob); got != float32(w) {
			t.Errorf("%s: detect %v, eval %v", r.File, got, w)
		}
		if len(r.Faces) != 1 || r.Faces[0].Crop != (Box{W: 64, H: 64}) {
			t.Errorf("%s: faces %+v, want the whole 64x64 image", r.File, r.Faces)
		}
	}
}

func TestCropBox(t *testing.T) {
	for _, tc := range []struct {
		face Box
		w, h int
		want Box
	}{
		// side round(1.3*40)=52 centred on (70, 70): 44..96.
		{Box{X: 50, Y: 50, W: 40, H: 40}, 200, 200, Box{X: 44, Y: 44, W: 52, H: 52}},
		// Near the top-left corner the square is shifted inside.
		{Box{X: 0, Y: 2, W: 40, H: 40}, 200, 200, Box{X: 0, Y: 0, W: 52, H: 52}},
		// Near the bottom-right corner too: side round(1.3*35) = round(45.5) = 46, 200-46 = 154.
		{Box{X: 170, Y: 165, W: 30, H: 35}, 200, 200, Box{X: 154, Y: 154, W: 46, H: 46}},
		// Larger than the image: the largest square that fits (64), shifted inside.
		{Box{X: 8, Y: 7, W: 49, H: 49}, 64, 64, Box{X: 0, Y: 0, W: 64, H: 64}},
		// Non-square image: side limited by the height (48), centred horizontally at 50.
		{Box{X: 30, Y: 4, W: 40, H: 40}, 100, 48, Box{X: 26, Y: 0, W: 48, H: 48}},
	} {
		if got := cropBox(tc.face, tc.w, tc.h); got != tc.want {
			t.Errorf("cropBox(%+v, %d, %d) = %+v, want %+v", tc.face, tc.w, tc.h, got, tc.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	for _, tc := range []struct {
		a, b Box
		want float64
	}{
		{Box{0, 0, 10, 10}, Box{5, 5, 10, 10}, 0.25},  // 5x5 of 100
		{Box{0, 0, 20, 20}, Box{5, 5, 4, 4}, 1},       // contained
		{Box{0, 0, 10, 10}, Box{10, 0, 10, 10}, 0},    // touching
		{Box{6, 5, 53, 53}, Box{11, 8, 44, 44}, 1},    // the duplicate pigo left on one synthetic face
		{Box{0, 0, 10, 20}, Box{5, 10, 20, 20}, 0.25}, // 5x10 of min(200, 400)
	} {
		if got := overlap(tc.a, tc.b); got != tc.want {
			t.Errorf("overlap(%+v, %+v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSampleIndices(t *testing.T) {
	for _, tc := range []struct {
		n, k int
		want []int
	}{
		{8, 4, []int{0, 2, 4, 7}},          // linspace(0, 7, 4) = 0, 2.33, 4.67, 7
		{100, 5, []int{0, 24, 49, 74, 99}}, // 0, 24.75, 49.5, 74.25, 99
		{3, 32, []int{0, 1, 2}},            // fewer frames than asked: all of them
		{10, 1, []int{0}},
	} {
		if got := sampleIndices(tc.n, tc.k); !slices.Equal(got, tc.want) {
			t.Errorf("sampleIndices(%d, %d) = %v, want %v", tc.n, tc.k, got, tc.want)
		}
	}
}

func TestSniff(t *testing.T) {
	ts := make([]byte, 200)
	ts[0], ts[188] = 0x47, 0x47
	for _, tc := range []struct {
		head []byte
		want string
	}{
		{[]byte("\x89PNG\r\n\x1a\nrest"), KindImage},
		{[]byte{0xff, 0xd8, 0xff, 0xe0}, KindImage},
		{[]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), KindImage},
		{[]byte("\x00\x00\x00\x20ftypisom"), KindVideo},
		{[]byte{0x1a, 0x45, 0xdf, 0xa3, 0x01}, KindVideo},
		{[]byte("RIFF\x00\x00\x00\x00AVI LIST"), KindVideo},
		{ts, KindVideo},
		{[]byte("score,label\n0.5,1\n"), ""},
		{nil, ""},
	} {
		if got := sniff(tc.head); got != tc.want {
			t.Errorf("sniff(%q) = %q, want %q", tc.head[:min(len(tc.head), 12)], got, tc.want)
		}
	}
}

// writePNG writes img to path.
func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gradient is a smooth image without any face.
func gradient(w, h int) image.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(255 * x / w), uint8(255 * y / h), 128, 255})
		}
	}
	return m
}

// TestFacesFound: the detector finds the synthetic faces (the ellipse centred at
// (0.5, 0.53) of the image lies inside the box), crops inside the image, and
// finds nothing in a gradient.
func TestFacesFound(t *testing.T) {
	ff, err := newFaceFinder("", 0)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	paths := facePaths(t, 12)
	for _, p := range paths {
		img, err := data.DecodeImage(p)
		if err != nil {
			t.Fatal(err)
		}
		rgb := data.ToRGB(img)
		dets := ff.find(rgb)
		for i := range dets {
			for j := range i {
				if o := overlap(dets[i].box, dets[j].box); o > 0.5 {
					t.Errorf("%s: boxes %+v and %+v overlap by %.2f of the smaller", p, dets[i].box, dets[j].box, o)
				}
			}
		}
		if len(dets) > 0 {
			found++
			b := dets[0].box
			cx, cy := 0.5*float64(rgb.W), 0.53*float64(rgb.H)
			if float64(b.X) > cx || float64(b.X+b.W) < cx || float64(b.Y) > cy || float64(b.Y+b.H) < cy {
				t.Errorf("%s: face box %+v misses the face centre (%.0f, %.0f)", p, b, cx, cy)
			}
			c := cropBox(b, rgb.W, rgb.H)
			if c.X < 0 || c.Y < 0 || c.X+c.W > rgb.W || c.Y+c.H > rgb.H || c.W != c.H {
				t.Errorf("%s: crop %+v outside the %dx%d image or not square", p, c, rgb.W, rgb.H)
			}
		}
	}
	// The cascade was trained on photographs; on these drawn faces it finds most,
	// not all (measured: 86% at the tiny scale).
	if found < len(paths)/2 {
		t.Errorf("faces found in %d of %d synthetic images, want at least half", found, len(paths))
	}
	// A large photo (searched at a short side of 1000): the first face found,
	// enlarged 25x onto a 2400x1600 canvas at x = 400, is found where it was put.
	for _, p := range paths {
		img, _ := data.DecodeImage(p)
		small := data.ToRGB(img)
		if len(ff.find(small)) == 0 {
			continue
		}
		big := data.ResizeLinearCV(small, 1600, 1600)
		canvas := data.ToRGB(gradient(2400, 1600))
		for y := range 1600 {
			copy(canvas.Pix[3*(y*2400+400):3*(y*2400+2000)], big.Pix[3*y*1600:3*(y+1)*1600])
		}
		dets := ff.find(canvas)
		if len(dets) == 0 {
			t.Errorf("%s enlarged to 1600 px: no face found", p)
			break
		}
		b := dets[0].box
		if cx, cy := 400+800, int(0.53*1600); b.X > cx || b.X+b.W < cx || b.Y > cy || b.Y+b.H < cy || b.W < 400 {
			t.Errorf("%s enlarged: face box %+v, want one around (%d, %d) at least 400 px wide", p, b, cx, cy)
		}
		break
	}
	if dets := ff.find(data.ToRGB(gradient(160, 120))); len(dets) != 0 {
		t.Errorf("gradient: %d faces found, want none: %+v", len(dets), dets)
	}
}

// badFiles writes the broken inputs every bad-input test uses into dir and
// returns their paths by name.
func badFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	p := map[string]string{}
	add := func(name string, b []byte) {
		p[name] = filepath.Join(dir, name)
		if err := os.WriteFile(p[name], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	face, err := os.ReadFile(facePaths(t, 1)[0])
	if err != nil {
		t.Fatal(err)
	}
	// A PNG signature followed by garbage.
	add("corrupt.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...))
	// A JPEG cut in half.
	img, _ := png.Decode(bytes.NewReader(face))
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	add("truncated.jpg", jb.Bytes()[:jb.Len()/2])
	// A PNG whose header claims 100000 x 100000 pixels (10^10 > the limit).
	var hb bytes.Buffer
	if err := png.Encode(&hb, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	huge := hb.Bytes()
	copy(huge[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0}) // IHDR width and height
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	add("huge.png", huge)
	var gb bytes.Buffer
	if err := png.Encode(&gb, gradient(160, 120)); err != nil {
		t.Fatal(err)
	}
	add("noface.png", gb.Bytes())
	add("notes.txt", []byte("not media\n"))
	add("face.png", face)
	return p
}

func TestBadInputs(t *testing.T) {
	d := load(t, Options{})
	files := badFiles(t, t.TempDir())
	for name, kind := range map[string]string{
		"corrupt.png": ErrUnreadable, "truncated.jpg": ErrUnreadable, "huge.png": ErrTooLarge,
		"noface.png": ErrNoFace, "notes.txt": ErrUnreadable,
	} {
		r := d.DetectFile(context.Background(), files[name])
		if r.ErrorKind != kind || r.Prob != nil || r.Label != "" || !strings.Contains(r.Error, files[name]) {
			t.Errorf("%s: kind %q prob %v label %q error %q; want kind %q, no answer, the path in the error", name, r.ErrorKind, r.Prob, r.Label, r.Error, kind)
		}
	}
	r := d.DetectFile(context.Background(), filepath.Join(t.TempDir(), "missing.png"))
	if r.ErrorKind != ErrNotFound {
		t.Errorf("missing file: kind %q (%s), want %q", r.ErrorKind, r.Error, ErrNotFound)
	}
	small := load(t, Options{MaxPixels: 1000})
	if r := small.DetectFile(context.Background(), files["face.png"]); r.ErrorKind != ErrTooLarge {
		t.Errorf("64x64 image under a 1000-pixel limit: kind %q, want %q", r.ErrorKind, ErrTooLarge)
	}
}

// TestMixedFolder walks a folder of good and bad files, a video, a symlink back to
// an ancestor and a self-referential link: every file gets its own result, in
// lexical order, and the others are still scored.
func TestMixedFolder(t *testing.T) {
	needFFmpeg(t)
	root := t.TempDir()
	badFiles(t, root)
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	makeVideo(t, filepath.Join(sub, "clip.mp4"), 8)
	if err := os.Symlink("..", filepath.Join(sub, "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("self", filepath.Join(root, "self")); err != nil {
		t.Fatal(err)
	}
	d := load(t, Options{Frames: 4})
	var calls []int
	results, skipped := d.DetectPaths(context.Background(), []string{root}, func(done, total int) {
		calls = append(calls, done)
		if total != 8 { // notes.txt is skipped
			t.Errorf("progress total %d, want 8", total)
		}
	})
	got := map[string]string{}
	var order []string
	for _, r := range results {
		rel, _ := filepath.Rel(root, r.File)
		order = append(order, rel)
		got[rel] = r.ErrorKind
		if r.Threshold != 0.5 {
			t.Errorf("%s: threshold %v", rel, r.Threshold)
		}
	}
	want := map[string]string{"corrupt.png": ErrUnreadable, "face.png": "", "huge.png": ErrTooLarge,
		"noface.png": ErrNoFace, "self": ErrSymlinkLoop, "sub/clip.mp4": "", "sub/up": ErrSymlinkLoop,
		"truncated.jpg": ErrUnreadable}
	if len(got) != len(want) {
		t.Errorf("results %v, want %v", got, want)
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: error kind %q (present %v), want %q", k, g, ok, v)
		}
	}
	if !sort.StringsAreSorted(order) {
		t.Errorf("results not in lexical order: %v", order)
	}
	if skipped != 1 {
		t.Errorf("skipped %d non-media files, want 1 (notes.txt)", skipped)
	}
	if len(calls) != len(results) || calls[len(calls)-1] != len(results) {
		t.Errorf("progress calls %v for %d results", calls, len(results))
	}
}

// TestConcurrentCallsMatchSequential: faces batched across concurrent calls get
// the probabilities they get alone.
func TestConcurrentCallsMatchSequential(t *testing.T) {
	d := load(t, Options{NoFaceDetect: true, Batch: 8})
	paths := facePaths(t, 24)
	alone := make([]float64, len(paths))
	for i, p := range paths {
		r := d.DetectFile(context.Background(), p)
		if !r.OK() {
			t.Fatal(r.Error)
		}
		alone[i] = *r.Prob
	}
	var wg sync.WaitGroup
	together := make([]float64, len(paths))
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := os.ReadFile(p)
			if err != nil {
				t.Error(err)
				return
			}
			r := d.DetectReader(context.Background(), "upload", bytes.NewReader(b))
			if r.OK() {
				together[i] = *r.Prob
			}
		}()
	}
	wg.Wait()
	for i := range paths {
		if alone[i] != together[i] {
			t.Errorf("%s: alone %v, concurrent %v", paths[i], alone[i], together[i])
		}
	}
}

func TestThresholdChoices(t *testing.T) {
	ckpt, err := train.RunCheckpoint(fx.Run, "best")
	if err != nil {
		t.Fatal(err)
	}
	epoch, err := train.CheckpointEpoch(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	val, err := metrics.ReadScoresCSV(filepath.Join(fx.Run, "scores", "val_ff++_ep"+strconv.Itoa(epoch)+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spec, rule string
	}{{"eer", "eer"}, {"youden", "youden"}, {"best-acc", "max-acc"}} {
		want, err := metrics.ChooseThreshold(val, tc.rule)
		if err != nil {
			t.Fatal(err)
		}
		d := load(t, Options{Threshold: tc.spec, NoFaceDetect: true})
		m := d.Model()
		if m.Threshold != want || m.ThresholdRule != tc.rule || !strings.HasSuffix(m.ThresholdFrom, ".csv") {
			t.Errorf("--threshold %s: %v (%s from %q), want %v (%s)", tc.spec, m.Threshold, m.ThresholdRule, m.ThresholdFrom, want, tc.rule)
		}
		r := d.DetectFile(context.Background(), facePaths(t, 1)[0])
		if wantLabel := map[bool]string{true: LabelFake, false: LabelReal}[*r.Prob >= want]; r.Label != wantLabel || r.Threshold != want {
			t.Errorf("--threshold %s: prob %v labelled %q at %v, want %q", tc.spec, *r.Prob, r.Label, r.Threshold, wantLabel)
		}
	}
	if d := load(t, Options{Threshold: "0.7"}); d.Model().Threshold != 0.7 || d.Model().ThresholdRule != "fixed" {
		t.Errorf("--threshold 0.7: %+v", d.Model())
	}
	for _, bad := range []string{"2", "-0.1", "median"} {
		if _, err := Load(fx.Run, Options{Threshold: bad}); err == nil {
			t.Errorf("--threshold %s: no error", bad)
		}
	}
}
