package synth

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/fairclip/fairclip/data"
)

// FeatureOptions configures a synthetic feature set.
type FeatureOptions struct {
	// Dataset is one of Datasets; it selects the forgery direction, its
	// strength and the domain shift (ff++ is the training domain).
	Dataset string
	// Split is "train", "val", "test" or a PG-FDD file name ("realtrain",
	// "faketrain", "realval", "fakeval", "test"); it sets the default real
	// fraction and, with Seed, the rows.
	Split string
	// N is the number of rows, spread over subgroups in proportion to Counts
	// (FFPPTrainCounts when Counts is all zero). 0: exactly Counts rows.
	N int
	// Counts is the number of rows per subgroup (or the proportions, with N).
	Counts [8]int
	// RealFraction is the share of real rows in each subgroup. 0 means the
	// split's default: 0.2 for train, 0.84 for val, 0.5 for test, 1 for
	// realtrain/realval and 0 (all fake) for faketrain/fakeval.
	RealFraction float64
	// Dim is the feature dimension; 0 means 768.
	Dim int
	// Seed draws the rows.
	Seed int64
	// Difficulty scales the per-sample noise; 0 means 1, larger is harder.
	Difficulty float64
	// Visibility is the forgery strength per subgroup relative to the dataset's
	// (all zero: SubgroupVisibility; all ones: no built-in fairness gap).
	Visibility [8]float64
	// FramesPerVideo is the number of rows sharing a video; 0 means 8.
	FramesPerVideo int
	// StructureSeed draws the directions (fake, subgroup, domain) shared by every
	// set generated with the same value, so train and test sets agree.
	StructureSeed int64
}

// FeatureSet is a generated set: row i is Features[i*Dim:(i+1)*Dim], L2-normalized.
type FeatureSet struct {
	Dim       int
	Features  []float32
	Labels    []int
	Subgroups []int
	Videos    []string
	IDs       []string
	Dataset   string
	Split     string
}

// Len is the number of rows.
func (f *FeatureSet) Len() int { return len(f.Labels) }

// Row returns row i (a view into Features).
func (f *FeatureSet) Row(i int) []float32 { return f.Features[i*f.Dim : (i+1)*f.Dim] }

// Magnitudes of the feature components, relative to a noise vector of norm about 1.
const (
	fakeMagnitude   = 0.09 // in-domain fake offset for visibility 1 (d' about 2.5 at D=768)
	raceMagnitude   = 0.30
	genderMagnitude = 0.20
	videoMagnitude  = 0.25
	shiftMagnitude  = 0.20
	featureChunk    = 2048 // rows per independently seeded chunk
)

type row struct {
	subgroup, label, video int
}

// Features generates a feature set; the result depends only on opts.
func Features(opts FeatureOptions) (*FeatureSet, error) {
	st, err := styleOf(opts.Dataset)
	if err != nil {
		return nil, err
	}
	dim := opts.Dim
	if dim == 0 {
		dim = 768
	}
	if dim < 8 {
		return nil, fmt.Errorf("synth features: dim %d too small (want >= 8)", dim)
	}
	realFrac, err := realFraction(opts.Split, opts.RealFraction)
	if err != nil {
		return nil, err
	}
	counts, err := subgroupCounts(opts.N, opts.Counts)
	if err != nil {
		return nil, err
	}
	frames := opts.FramesPerVideo
	if frames <= 0 {
		frames = 8
	}
	difficulty := opts.Difficulty
	if difficulty == 0 {
		difficulty = 1
	}
	if difficulty < 0 || math.IsNaN(difficulty) || math.IsInf(difficulty, 0) {
		return nil, fmt.Errorf("synth features: difficulty %v must be positive", opts.Difficulty)
	}
	vis := opts.Visibility
	if vis == ([8]float64{}) {
		vis = SubgroupVisibility
	}

	rows, nVideos := layoutRows(counts, realFrac, frames)
	dirs := newDirections(opts.StructureSeed, opts.Dataset, st, dim)
	setSeed := int64(data.Hash64(opts.Seed, datasetIndex(opts.Dataset), int64(stringHash(opts.Split))))

	fs := &FeatureSet{
		Dim: dim, Features: make([]float32, len(rows)*dim),
		Labels: make([]int, len(rows)), Subgroups: make([]int, len(rows)),
		Videos: make([]string, len(rows)), IDs: make([]string, len(rows)),
		Dataset: opts.Dataset, Split: opts.Split,
	}
	videoID := make([]string, nVideos)
	frameOf := make([]int, len(rows))
	for i, r := range rows {
		if i > 0 && rows[i-1].video == r.video {
			frameOf[i] = frameOf[i-1] + 1
		}
		if videoID[r.video] == "" {
			kind := "real"
			if r.label == 1 {
				kind = "fake"
			}
			videoID[r.video] = fmt.Sprintf("%s-%s-sg%d-%s-%05d", opts.Dataset, opts.Split, r.subgroup, kind, r.video)
		}
		fs.Labels[i], fs.Subgroups[i], fs.Videos[i] = r.label, r.subgroup, videoID[r.video]
		fs.IDs[i] = fmt.Sprintf("%s/f%02d", videoID[r.video], frameOf[i])
	}

	noiseStd := difficulty * math.Sqrt(st.noise/float64(dim))
	// Per-subgroup mean (race, gender, domain shift) and fake offset, so the
	// inner loop is one normal draw and three adds per element.
	var base, fakeOffset [8][]float64
	for g := range 8 {
		base[g], fakeOffset[g] = make([]float64, dim), make([]float64, dim)
		race, gender := g%4, g/4
		fake := fakeMagnitude * st.strength * vis[g]
		for k := range dim {
			base[g][k] = raceMagnitude*dirs.race[race][k] + genderMagnitude*dirs.gender[gender][k] +
				shiftMagnitude*st.shift*dirs.shift[k]
			fakeOffset[g][k] = base[g][k] + fake*dirs.fake[k]
		}
	}
	nChunks := (len(rows) + featureChunk - 1) / featureChunk
	var wg sync.WaitGroup
	work := make(chan int)
	for range min(runtime.GOMAXPROCS(0), max(nChunks, 1)) {
		wg.Go(func() {
			video := make([]float64, dim)
			acc := make([]float64, dim)
			for c := range work {
				rng := data.NewRand(setSeed, int64(c))
				lastVideo := -1
				for i := c * featureChunk; i < min((c+1)*featureChunk, len(rows)); i++ {
					r := rows[i]
					if r.video != lastVideo {
						// Keyed by video, not chunk: frames of a video that
						// straddle chunks share the component.
						vr := data.NewRand(setSeed, -1, int64(r.video))
						fillNormal(vr, video, videoMagnitude/math.Sqrt(float64(dim)))
						lastVideo = r.video
					}
					mean := base[r.subgroup]
					if r.label == 1 {
						mean = fakeOffset[r.subgroup]
					}
					for k := range acc {
						acc[k] = rng.NormFloat64()*noiseStd + video[k] + mean[k]
					}
					normalizeInto(fs.Features[i*dim:(i+1)*dim], acc)
				}
			}
		})
	}
	for c := range nChunks {
		work <- c
	}
	close(work)
	wg.Wait()
	return fs, nil
}

func fillNormal(rng *rand.Rand, dst []float64, std float64) {
	for k := range dst {
		dst[k] = rng.NormFloat64() * std
	}
}

func normalizeInto(dst []float32, src []float64) {
	var ss float64
	for _, v := range src {
		ss += v * v
	}
	inv := 1 / math.Sqrt(ss)
	for k, v := range src {
		dst[k] = float32(v * inv)
	}
}

func stringHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// realFraction resolves the share of real rows for a split.
func realFraction(split string, given float64) (float64, error) {
	if given < 0 || given > 1 || math.IsNaN(given) {
		return 0, fmt.Errorf("synth: real fraction %v outside [0, 1]", given)
	}
	switch split {
	case "realtrain", "realval":
		return 1, nil
	case "faketrain", "fakeval":
		return 0, nil
	}
	if given > 0 {
		return given, nil
	}
	switch split {
	case "train":
		return 0.2, nil
	case "val", "validation":
		return 0.84, nil
	case "test":
		return 0.5, nil
	}
	return 0, fmt.Errorf("synth: unknown split %q (want train, val, test, realtrain, faketrain, realval, fakeval)", split)
}

// subgroupCounts resolves per-subgroup row counts: exactly counts when n is 0,
// else n rows in proportion to counts (FFPPTrainCounts when counts is all zero),
// by largest remainder.
func subgroupCounts(n int, counts [8]int) ([8]int, error) {
	total := 0
	for g, c := range counts {
		if c < 0 {
			return counts, fmt.Errorf("synth: negative count %d for subgroup %d", c, g)
		}
		total += c
	}
	if n < 0 {
		return counts, fmt.Errorf("synth: negative N %d", n)
	}
	if n == 0 {
		if total == 0 {
			return counts, fmt.Errorf("synth: N is 0 and Counts are all zero")
		}
		return counts, nil
	}
	if total == 0 {
		counts, total = FFPPTrainCounts, 0
		for _, c := range counts {
			total += c
		}
	}
	var out [8]int
	type rem struct {
		g int
		r float64
	}
	var rems []rem
	used := 0
	for g, c := range counts {
		exact := float64(n) * float64(c) / float64(total)
		out[g] = int(exact)
		used += out[g]
		rems = append(rems, rem{g, exact - float64(out[g])})
	}
	for ; used < n; used++ {
		best := 0
		for j := range rems {
			if rems[j].r > rems[best].r {
				best = j
			}
		}
		out[rems[best].g]++
		rems[best].r = -1
	}
	return out, nil
}

// layoutRows orders rows by subgroup, then real before fake, grouped into
// videos of `frames` consecutive rows. It returns the rows and the video count.
func layoutRows(counts [8]int, realFrac float64, frames int) ([]row, int) {
	var rows []row
	video := 0
	for g, c := range counts {
		nReal := int(math.Round(realFrac * float64(c)))
		for label, n := range []int{nReal, c - nReal} {
			for i := range n {
				if i > 0 && i%frames == 0 {
					video++
				}
				rows = append(rows, row{subgroup: g, label: label, video: video})
			}
			if n > 0 {
				video++
			}
		}
	}
	return rows, video
}

// directions are the unit vectors that give the features their structure.
type directions struct {
	fake   []float64 // this dataset's forgery direction
	shift  []float64 // this dataset's domain shift
	race   [4][]float64
	gender [2][]float64
}

func newDirections(structureSeed int64, dataset string, st style, dim int) directions {
	unit := func(parts ...int64) []float64 {
		v := make([]float64, dim)
		fillNormal(data.NewRand(structureSeed, parts...), v, 1)
		return normalized(v)
	}
	var d directions
	base := unit(1)                       // ff++'s forgery direction
	own := unit(2, datasetIndex(dataset)) // dataset-specific part
	own = normalized(orthogonalize(own, base))
	d.fake = make([]float64, dim)
	side := math.Sqrt(max(0, 1-st.overlap*st.overlap))
	for k := range d.fake {
		d.fake[k] = st.overlap*base[k] + side*own[k]
	}
	d.shift = unit(3, datasetIndex(dataset))
	for r := range d.race {
		d.race[r] = unit(4, int64(r))
	}
	for g := range d.gender {
		d.gender[g] = unit(5, int64(g))
	}
	return d
}

func normalized(v []float64) []float64 {
	var ss float64
	for _, x := range v {
		ss += x * x
	}
	inv := 1 / math.Sqrt(ss)
	for k := range v {
		v[k] *= inv
	}
	return v
}

func orthogonalize(v, against []float64) []float64 {
	var dot float64
	for k := range v {
		dot += v[k] * against[k]
	}
	for k := range v {
		v[k] -= dot * against[k]
	}
	return v
}
