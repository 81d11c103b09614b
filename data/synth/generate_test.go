package synth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/data"
)

// microScale keeps generation tests fast: the minimum of two videos per
// subgroup and role dominates the counts.
var microScale = Scale{Name: "micro", ImageSize: 24, FramesPerVideo: 2, TrainFrames: 64, ValFrames: 32, TestFrames: 32}

func generateMicro(t *testing.T, seed int64) (string, *Summary) {
	t.Helper()
	out := t.TempDir()
	sum, err := generate(context.Background(), Options{Out: out, Seed: seed}, microScale)
	if err != nil {
		t.Fatal(err)
	}
	return out, sum
}

// treeHash hashes every file's relative path and content.
func treeHash(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(h, "%s %d\n", rel, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerateDeterministic(t *testing.T) {
	a, _ := generateMicro(t, 7)
	b, _ := generateMicro(t, 7)
	c, _ := generateMicro(t, 8)
	if treeHash(t, a) != treeHash(t, b) {
		t.Fatal("same seed gave different files")
	}
	if treeHash(t, a) == treeHash(t, c) {
		t.Fatal("different seeds gave identical files")
	}
}

func TestGenerateLayoutReadsBack(t *testing.T) {
	out, sum := generateMicro(t, 3)
	readme, err := os.ReadFile(filepath.Join(out, "README.txt"))
	if err != nil || !strings.Contains(string(readme), "seed: 3") || !strings.Contains(string(readme), "scale: micro") {
		t.Fatalf("README: %v\n%s", err, readme)
	}
	opts := data.IndexOptions{Root: out, SkipUnknownAttributes: true}
	checks := []struct {
		datasets []string
		mode     string
	}{
		{[]string{"ff++"}, data.ModeTrain},
		{[]string{"ff++"}, data.ModeValidation},
		{Datasets, data.ModeTest},
	}
	total := 0
	for _, c := range checks {
		ix, err := data.LoadFairness(c.datasets, c.mode, opts)
		if err != nil {
			t.Fatal(err)
		}
		if ix.SkippedUnknown != 0 {
			t.Errorf("%s: %d unknown attributes", c.mode, ix.SkippedUnknown)
		}
		total += len(ix.Samples)
		frames := map[string]int{}
		var per [8][2]int
		for _, s := range ix.Samples {
			per[s.Subgroup][s.Label]++
			frames[s.Dataset+"/"+s.Video]++
			wantPrefix := "real-"
			if s.Label == 1 {
				wantPrefix = "fake-"
			}
			if !strings.HasPrefix(s.Video, wantPrefix) {
				t.Fatalf("%s: video %q for label %d", s.Where(), s.Video, s.Label)
			}
		}
		for v, n := range frames {
			if n != microScale.FramesPerVideo {
				t.Errorf("video %s has %d frames, want %d", v, n, microScale.FramesPerVideo)
			}
		}
		for g := range per {
			if per[g][0] == 0 || per[g][1] == 0 {
				t.Errorf("%s %v: subgroup %d has %v real/fake frames, want both", c.mode, c.datasets, g, per[g])
			}
		}
		img, err := data.DecodeImage(ix.Samples[0].Path)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != microScale.ImageSize || b.Dy() != microScale.ImageSize {
			t.Errorf("image %v, want %d square", b, microScale.ImageSize)
		}
	}
	if total != sum.Images {
		t.Errorf("read %d samples, summary says %d images", total, sum.Images)
	}
}

func TestGenerateRefusesExistingDataset(t *testing.T) {
	out, _ := generateMicro(t, 1)
	_, err := generate(context.Background(), Options{Out: out, Seed: 1}, microScale)
	if err == nil || !strings.Contains(err.Error(), "already holds a dataset") {
		t.Fatalf("err %v", err)
	}
	if _, err := generate(context.Background(), Options{Out: out, Seed: 1, Overwrite: true}, microScale); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	if _, err := Generate(context.Background(), Options{Out: out, Scale: "huge"}); err == nil || !strings.Contains(err.Error(), `unknown scale "huge"`) {
		t.Fatalf("bad scale: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := generate(ctx, Options{Out: t.TempDir()}, microScale); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

// TestPlanProportions checks the planned subgroup sizes (FF++ training
// proportions) and real shares without rendering anything.
func TestPlanProportions(t *testing.T) {
	for _, name := range []string{"small", "full"} {
		sc := Scales[name]
		var train [8]int
		var valReal, valAll, trainReal, trainAll int
		for _, v := range plan(sc) {
			if v.dataset != "ff++" {
				continue
			}
			switch v.file {
			case "realtrain", "faketrain":
				train[v.subgroup] += v.frames
				trainAll += v.frames
				if v.label == 0 {
					trainReal += v.frames
				}
			case "realval", "fakeval":
				valAll += v.frames
				if v.label == 0 {
					valReal += v.frames
				}
			}
		}
		total := 0
		for _, c := range FFPPTrainCounts {
			total += c
		}
		for g, c := range FFPPTrainCounts {
			want := float64(sc.TrainFrames) * float64(c) / float64(total)
			if math.Abs(float64(train[g])-want) > float64(sc.FramesPerVideo) {
				t.Errorf("%s: subgroup %d has %d train frames, want %.0f within a video", name, g, train[g], want)
			}
		}
		if share := float64(valReal) / float64(valAll); share < 0.8 || share > 0.86 {
			t.Errorf("%s: val real share %.3f, want about 0.84", name, share)
		}
		if share := float64(trainReal) / float64(trainAll); share < 0.17 || share > 0.25 {
			t.Errorf("%s: train real share %.3f, want about 0.2", name, share)
		}
	}
}

// firstFFPPVideo is the first planned ff++ video with the label.
func firstFFPPVideo(sc Scale, label int) videoPlan {
	for _, v := range plan(sc) {
		if v.dataset == "ff++" && v.label == label {
			return v
		}
	}
	return videoPlan{}
}

// TestVisibilityScalesArtifacts renders the same fake frame with full and
// almost no visibility: the blend must move pixels much less in the latter.
func TestVisibilityScalesArtifacts(t *testing.T) {
	sc := Scale{Name: "v", ImageSize: 48, FramesPerVideo: 1, TrainFrames: 16, ValFrames: 16, TestFrames: 16}
	fake := firstFFPPVideo(sc, 1)
	diff := func(vis float64) float64 {
		bias := NoBias
		for g := range bias.Visibility {
			bias.Visibility[g] = vis
		}
		withBlend, _ := newVideoRenderer(sc, 1, bias, fake)
		plain := *withBlend
		plain.v.label = 0
		a, b := withBlend.frame(0), plain.frame(0)
		var d float64
		for i := range a.Pix {
			d += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
		}
		return d
	}
	full, faint := diff(1), diff(0.05)
	if !(faint < 0.6*full) || full == 0 {
		t.Fatalf("pixel change with visibility 1: %.0f, with 0.05: %.0f", full, faint)
	}
}

// TestRetouchHasNoSwapGeometry: a retouched real face carries a swap's colour change
// but neither its resampling grid nor its seam. The pixel change it makes (against
// the same frame unfiltered) is measured on the checkerboard in phase with the pixel
// grid, where a swap's upsampling trace lies, and as its red-minus-blue shift (the
// colour mismatch, most in blue); a swap-style blend of the same face, with its grid
// and seam, is the contrast.
func TestRetouchHasNoSwapGeometry(t *testing.T) {
	sc := Scale{Name: "r", ImageSize: 64, FramesPerVideo: 1, TrainFrames: 16, ValFrames: 16, TestFrames: 16}
	real := firstFFPPVideo(sc, 0)
	always := NoBias
	for g := range always.RealLookalike {
		always.RealLookalike[g] = 1
	}
	always.LookalikeStrength = 0.7
	st, err := styleOf("ff++")
	if err != nil {
		t.Fatal(err)
	}
	// Over 8 seeds: each video's warm lift has its own jitter.
	var rc, rw, sc2, sw float64
	for seed := range int64(8) {
		retouched, err := newVideoRenderer(sc, seed, always, real)
		if err != nil || !retouched.retouched {
			t.Fatalf("renderer %v, retouched %v", err, retouched != nil && retouched.retouched)
		}
		plain := *retouched
		plain.retouched = false
		swapped := *retouched
		swapped.fg = newForgery(data.NewRand(seed, 2), st, 0.7)
		// checker and warm: the pixel change's projection on the (+1,-1)
		// checkerboard and its mean red-minus-blue lift, per pixel.
		measure := func(r *videoRenderer) (checker, warm float64) {
			a, b := r.frame(0), plain.frame(0)
			n := sc.ImageSize
			for y := range n {
				for x := range n {
					i := a.PixOffset(x, y)
					sign := 1.0
					if (x+y)%2 != 0 {
						sign = -1
					}
					for c := range 3 {
						checker += sign * (float64(a.Pix[i+c]) - float64(b.Pix[i+c])) / 255
					}
					warm += (float64(a.Pix[i])-float64(b.Pix[i]))/255 - (float64(a.Pix[i+2])-float64(b.Pix[i+2]))/255
				}
			}
			return math.Abs(checker) / float64(3*n*n), warm / float64(n*n)
		}
		c, w := measure(retouched)
		rc, rw = rc+c/8, rw+w/8
		c, w = measure(&swapped)
		sc2, sw = sc2+c/8, sw+w/8
	}
	t.Logf("retouched: checkerboard %.4f, warm lift %.4f; swap-style blend: checkerboard %.4f, warm lift %.4f", rc, rw, sc2, sw)
	if !(rw > 0.5*sw) || sw <= 0 {
		t.Errorf("retouched face: mean warm lift %.4f, swap-style blend %.4f: want at least half (the colour cue)", rw, sw)
	}
	if !(rc < 0.1*sc2) || sc2 == 0 {
		t.Errorf("retouched face: checkerboard %.4f, swap-style blend %.4f: want the retouch below a tenth (no resampling grid)", rc, sc2)
	}
}

// TestTinyValHasMeasurableCells: at the tiny scale every subgroup holds at least
// ValMinVideos real and fake validation videos of one frame each, so that each
// subgroup's FPR and FNR move in steps of at most 1/ValMinVideos.
func TestTinyValHasMeasurableCells(t *testing.T) {
	sc := Scales["tiny"]
	var cells [8][2]int
	for _, v := range plan(sc) {
		if v.dataset != "ff++" || (v.file != "realval" && v.file != "fakeval") {
			continue
		}
		if v.frames != sc.FramesPerVideo || sc.FramesPerVideo != 1 {
			t.Fatalf("val video with %d frames, want 1", v.frames)
		}
		cells[v.subgroup][v.label]++
	}
	for g, c := range cells {
		if c[0] < sc.ValMinVideos || c[1] < sc.ValMinVideos {
			t.Errorf("subgroup %d: %d real and %d fake val videos, want >= %d each", g, c[0], c[1], sc.ValMinVideos)
		}
	}
	if sc.ValMinVideos < 10 {
		t.Errorf("tiny ValMinVideos %d", sc.ValMinVideos)
	}
}

// TestPlantedVisibilityOrder: the artifacts a forgery leaves (the blend of a face
// into itself, so that only the artifacts differ from the plain frame) are fainter
// on the dark-skinned subgroups than on the light ones at the default bias, as
// docs/data.md says. An additive colour lift clipped at 1 on light skin and
// reversed this order.
func TestPlantedVisibilityOrder(t *testing.T) {
	st, err := styleOf("ff++")
	if err != nil {
		t.Fatal(err)
	}
	const n, faces = 64, 24
	change := func(g int) float64 {
		var sum float64
		for k := range faces {
			id := newIdentity(identityRand(5, "ff++", 1000*g+k), g)
			p := newPose(data.NewRand(5, int64(g), int64(k)))
			plain := render(id, p, n)
			cv := render(id, p, n)
			newForgery(data.NewRand(6, int64(g), int64(k)), st, DefaultBias.Visibility[g]).blend(cv, render(id, p, n), geometry(id, p, n))
			for i := range cv.pix {
				sum += math.Abs(cv.pix[i] - plain.pix[i])
			}
		}
		return sum / faces
	}
	// male-white vs male-black, female-white vs female-black.
	for _, pair := range [][2]int{{1, 2}, {5, 6}} {
		light, dark := change(pair[0]), change(pair[1])
		t.Logf("subgroup %d: %.1f, subgroup %d: %.1f (sum of |pixel change| per face)", pair[0], light, pair[1], dark)
		if !(dark < 0.7*light) {
			t.Errorf("subgroup %d's artifacts change %.1f, subgroup %d's %.1f: want the dark-skinned below 0.7x the light", pair[1], dark, pair[0], light)
		}
	}
}
