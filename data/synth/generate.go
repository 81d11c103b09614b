package synth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/data"
)

// Options configures Generate.
type Options struct {
	// Out is the fairness root to write (created if missing).
	Out string
	// Scale is a named scale ("tiny", "small", "full").
	Scale string
	// Seed determines every pixel and row.
	Seed int64
	// Bias is the planted demographic bias (nil: DefaultBias; &NoBias turns it off).
	Bias *Bias
	// Workers renders videos in parallel; 0 means GOMAXPROCS.
	Workers int
	// Overwrite allows writing into a directory that already holds a dataset.
	Overwrite bool
}

// Summary reports what Generate wrote.
type Summary struct {
	Out    string
	Scale  Scale
	Seed   int64
	Images int
	// Files maps "<dataset>/<file>.csv" to its counts.
	Files map[string]FileSummary
}

// FileSummary counts the rows of one CSV.
type FileSummary struct {
	Real, Fake int
	Subgroups  [8]int
}

// ErrExists marks a refusal to write over an existing dataset.
var ErrExists = errors.New("output exists")

// fileWriters is the number of goroutines writing image files.
const fileWriters = 16

// csvHeader is the PG-FDD header Generate writes; intersec_label repeats the
// subgroup id and spe_label is 0 for real, 1 for the synthetic blend.
const csvHeader = "img_path,label,ismale,isasian,iswhite,isblack,intersec_label,spe_label\n"

// Generate writes a synthetic fairness dataset in the PG-FDD layout:
// <Out>/<dataset>/{realtrain,faketrain,realval,fakeval,test}.csv (ff++) and
// <Out>/<dataset>/test.csv (celebdf, dfd, dfdc), images under
// <Out>/<dataset>/frames/<file>/, and <Out>/README.txt. The result depends
// only on the scale, the seed and the bias, which <Out>/synth.json records.
func Generate(ctx context.Context, opts Options) (*Summary, error) {
	sc, err := ScaleByName(opts.Scale)
	if err != nil {
		return nil, err
	}
	return generate(ctx, opts, sc)
}

func generate(ctx context.Context, opts Options, sc Scale) (*Summary, error) {
	bias := DefaultBias
	if opts.Bias != nil {
		bias = *opts.Bias
	}
	if err := bias.Validate(); err != nil {
		return nil, err
	}
	if opts.Out == "" {
		return nil, fmt.Errorf("synth: no output directory")
	}
	if !opts.Overwrite {
		if _, err := os.Stat(filepath.Join(opts.Out, "README.txt")); err == nil {
			return nil, fmt.Errorf("synth: %s already holds a dataset (README.txt); choose another directory or overwrite: %w", opts.Out, ErrExists)
		}
	}
	videos := plan(sc)
	rows := make([][]string, len(videos))
	dirs := map[string]bool{}
	for _, v := range videos {
		dirs[filepath.Join(opts.Out, v.dataset, "frames", v.file)] = true
	}
	for d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Renderers encode PNGs; a larger pool of writers overlaps the fsyncs of
	// atomicfile (about 8 ms each here, so writing is latency-bound).
	type pending struct {
		path string
		png  []byte
	}
	writes := make(chan pending, 4*fileWriters)
	var writeErr error
	var writeMu sync.Mutex
	var writers sync.WaitGroup
	for range fileWriters {
		writers.Go(func() {
			for w := range writes {
				if err := atomicfile.WriteFile(w.path, w.png, 0o644); err != nil {
					writeMu.Lock()
					if writeErr == nil {
						writeErr = fmt.Errorf("synth: %w", err)
					}
					writeMu.Unlock()
				}
			}
		})
	}
	jobs := make(chan int)
	errs := make([]error, len(videos))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				rows[i], errs[i] = renderVideo(sc, opts.Seed, bias, videos[i], func(rel string, png []byte) {
					writes <- pending{filepath.Join(opts.Out, filepath.FromSlash(rel)), png}
				})
			}
		})
	}
feed:
	for i := range videos {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(writes)
	writers.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range append(errs, writeErr) {
		if err != nil {
			return nil, err
		}
	}
	sum := &Summary{Out: opts.Out, Scale: sc, Seed: opts.Seed, Files: map[string]FileSummary{}}
	csvs := map[string]*strings.Builder{}
	var order []string
	for i, v := range videos {
		key := v.dataset + "/" + v.file + ".csv"
		b, ok := csvs[key]
		if !ok {
			b = &strings.Builder{}
			b.WriteString(csvHeader)
			csvs[key] = b
			order = append(order, key)
		}
		fs := sum.Files[key]
		for _, r := range rows[i] {
			b.WriteString(r)
			if v.label == 1 {
				fs.Fake++
			} else {
				fs.Real++
			}
			fs.Subgroups[v.subgroup]++
			sum.Images++
		}
		sum.Files[key] = fs
	}
	for _, key := range order {
		if err := atomicfile.WriteFile(filepath.Join(opts.Out, filepath.FromSlash(key)), []byte(csvs[key].String()), 0o644); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	meta, err := metadata(sum, bias)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(opts.Out, MetadataFile), meta, 0o644); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(opts.Out, "README.txt"), []byte(readme(sum, bias)), 0o644); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return sum, nil
}

// videoRenderer renders the frames of one planned video.
type videoRenderer struct {
	v      videoPlan
	st     style
	size   int
	seed   int64
	target identity
	donor  identity
	fg     forgery
	// retouched marks a real video captured through the beauty filter
	// (Bias.RealLookalike, newRetouch); fg then holds that filter.
	retouched bool
	name      string // video id in file names
}

func newVideoRenderer(sc Scale, seed int64, bias Bias, v videoPlan) (*videoRenderer, error) {
	st, err := styleOf(v.dataset)
	if err != nil {
		return nil, err
	}
	r := &videoRenderer{v: v, st: st, size: sc.ImageSize, seed: seed,
		target: newIdentity(identityRand(seed, v.dataset, v.identity), v.subgroup),
		name:   fmt.Sprintf("real-%05d", v.ordinal)}
	if v.label == 1 {
		r.donor = newIdentity(identityRand(seed, v.dataset, v.donor), v.subgroup)
		r.fg = newForgery(data.NewRand(seed, 0xf0, datasetIndex(v.dataset), int64(v.ordinal)), st, bias.Visibility[v.subgroup])
		r.name = fmt.Sprintf("fake-%05d-%05d", v.ordinal, v.donor)
	} else if rng := data.NewRand(seed, 0xb1, datasetIndex(v.dataset), int64(v.ordinal)); rng.Float64() < bias.RealLookalike[v.subgroup] {
		r.retouched = true
		r.fg = newRetouch(rng, bias.LookalikeStrength)
	}
	return r, nil
}

// frame renders frame f as an 8-bit image.
func (r *videoRenderer) frame(f int) *image.NRGBA {
	rng := data.NewRand(r.seed, 0xfa, datasetIndex(r.v.dataset), int64(r.v.ordinal), int64(f))
	p := newPose(rng)
	cv := render(r.target, p, r.size)
	switch {
	case r.v.label == 1:
		r.fg.blend(cv, render(r.donor, p, r.size), geometry(r.target, p, r.size))
	case r.retouched:
		r.fg.blend(cv, render(r.target, p, r.size), geometry(r.target, p, r.size))
	}
	capture(cv, r.st, rng)
	return cv.image()
}

// relPath is frame f's path relative to the fairness root. The reference
// derives the video id from the name without its first and last "_" parts.
func (r *videoRenderer) relPath(f int) string {
	return fmt.Sprintf("%s/frames/%s/f_%s_%03d.png", r.v.dataset, r.v.file, r.name, f)
}

// renderVideo renders and encodes the frames of one video, hands each PNG to
// write, and returns the video's CSV rows.
func renderVideo(sc Scale, seed int64, bias Bias, v videoPlan, write func(rel string, png []byte)) ([]string, error) {
	r, err := newVideoRenderer(sc, seed, bias, v)
	if err != nil {
		return nil, err
	}
	male, asian, white, black := attributeFlags(v.subgroup)
	spe := v.label // 0 real, 1 synthetic blend
	rows := make([]string, 0, v.frames)
	// Noisy images hardly compress; storing saves most of the encoding time.
	enc := png.Encoder{CompressionLevel: png.NoCompression}
	for f := range v.frames {
		rel := r.relPath(f)
		var buf bytes.Buffer
		if err := enc.Encode(&buf, r.frame(f)); err != nil {
			return nil, fmt.Errorf("synth: encode %s: %w", rel, err)
		}
		write(rel, buf.Bytes())
		rows = append(rows, fmt.Sprintf("%s,%d,%d,%d,%d,%d,%d,%d\n", rel, v.label, male, asian, white, black, v.subgroup, spe))
	}
	return rows, nil
}

// attributeFlags gives the PG-FDD +1/-1 flags of a subgroup.
func attributeFlags(subgroup int) (male, asian, white, black int) {
	flag := func(b bool) int {
		if b {
			return 1
		}
		return -1
	}
	race := subgroup % 4
	return flag(subgroup < 4), flag(race == data.RaceAsian), flag(race == data.RaceWhite), flag(race == data.RaceBlack)
}

func (cv *canvas) image() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, cv.n, cv.n))
	for i := 0; i < cv.n*cv.n; i++ {
		for c := range 3 {
			img.Pix[4*i+c] = uint8(cv.pix[3*i+c]*255 + 0.5)
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

func readme(sum *Summary, bias Bias) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Synthetic face-forgery dataset generated by `fairclip synth`.\n\n")
	fmt.Fprintf(&b, "scale: %s (%dx%d PNG, %d frames per video)\nseed: %d\nimages: %d\n\n",
		sum.Scale.Name, sum.Scale.ImageSize, sum.Scale.ImageSize, sum.Scale.FramesPerVideo, sum.Seed, sum.Images)
	fmt.Fprintf(&b, "Layout: PG-FDD fairness annotations; use this directory as dataset.fairness_root.\n")
	fmt.Fprintf(&b, "Columns: %s", csvHeader)
	fmt.Fprintf(&b, "Subgroup = race + 4*female (race: asian 0, white 1, black 2, other 3); intersec_label repeats it;\n")
	fmt.Fprintf(&b, "spe_label is 0 for real and 1 for the synthetic blend.\n\n")
	fmt.Fprintf(&b, "Faces: procedural; skin tone by race, face shape and hair by gender, identity-seeded;\n")
	fmt.Fprintf(&b, "small pose and lighting changes between frames. Fakes: the inner face of another identity of\n")
	fmt.Fprintf(&b, "the same subgroup, blurred, blended in with a soft mask, with a colour mismatch, an upsampling\n")
	fmt.Fprintf(&b, "checkerboard and a darker seam on the mask edge.\n")
	fmt.Fprintf(&b, "Dataset styles (artifact mix in %s): ff++ every artifact at full strength; celebdf colour\n", MetadataFile)
	fmt.Fprintf(&b, "mismatch with smoothed boundaries; dfd grid and seam; dfdc colour under noise and 8x8 block\n")
	fmt.Fprintf(&b, "quantization (compression). Each test dataset has its own colour cast.\n\n")
	fmt.Fprintf(&b, "Planted demographic bias (per subgroup 0..7; `fairclip synth --bias 0` turns it off):\n")
	fmt.Fprintf(&b, "  fake artifact visibility:           %v\n", bias.Visibility)
	fmt.Fprintf(&b, "  real faces retouched (share):        %v (beauty filter: a swap's colour mismatch at %.2fx, no grid or seam)\n\n", bias.RealLookalike, bias.LookalikeStrength)
	keys := make([]string, 0, len(sum.Files))
	for k := range sum.Files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(&b, "%-22s %6s %6s  %s\n", "file", "real", "fake", "per subgroup (0..7)")
	for _, k := range keys {
		f := sum.Files[k]
		fmt.Fprintf(&b, "%-22s %6d %6d  %v\n", k, f.Real, f.Fake, f.Subgroups)
	}
	return b.String()
}
