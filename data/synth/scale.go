package synth

import "fmt"

// Scale sets the size of a generated dataset.
type Scale struct {
	Name           string
	ImageSize      int // square PNG side in pixels
	FramesPerVideo int
	// ValMinVideos is the least number of videos of each subgroup and label in
	// ff++ val (0: one). FF++'s proportions leave the rare subgroups 2-3 videos of
	// a class at the tiny scale, too few to measure a rate: the fairness gaps are
	// ranges and sums of per-subgroup rates.
	ValMinVideos int
	TrainFrames  int // ff++ train (realtrain + faketrain)
	ValFrames    int // ff++ val
	TestFrames   int // each test.csv (ff++ and the three test datasets)
}

// Scales are the named sizes of `fairclip synth --scale`.
var Scales = map[string]Scale{
	"tiny":  {Name: "tiny", ImageSize: 64, FramesPerVideo: 1, ValMinVideos: 20, TrainFrames: 2400, ValFrames: 800, TestFrames: 320},
	"small": {Name: "small", ImageSize: 96, FramesPerVideo: 8, TrainFrames: 6400, ValFrames: 1600, TestFrames: 1200},
	"full":  {Name: "full", ImageSize: 128, FramesPerVideo: 16, TrainFrames: 76139, ValFrames: 12000, TestFrames: 6000},
}

// ScaleByName returns a named scale.
func ScaleByName(name string) (Scale, error) {
	s, ok := Scales[name]
	if !ok {
		return Scale{}, fmt.Errorf("synth: unknown scale %q (want tiny, small or full)", name)
	}
	return s, nil
}

// Real shares by role: FF++'s training data has four fakes per real video; the
// report's validation set is about 84% real; test sets are balanced.
const (
	trainRealFraction = 0.2
	valRealFraction   = 0.84
	testRealFraction  = 0.5
)

// videoPlan is one video to generate.
type videoPlan struct {
	dataset, file string // file: realtrain, faketrain, ..., test
	subgroup      int
	label         int
	identity      int // target identity index within the dataset
	donor         int // donor identity for fakes
	frames        int
	ordinal       int // video number within the dataset (for names and seeds)
}

// planRole lays out the videos of one role (train, val or test) of a dataset:
// frames are spread over subgroups in FF++ training proportions and split into
// real and fake videos by realFrac, each subgroup holding at least minVideos (>= 1)
// real and minVideos fake videos (added to the total where needed). next counts
// identities and videos across roles so that identities never repeat between
// splits.
func planRole(dataset, role string, total, frames, minVideos int, realFrac float64, next *[2]int) []videoPlan {
	counts, _ := subgroupCounts(total, FFPPTrainCounts)
	var out []videoPlan
	for g, c := range counts {
		videos := max(2, (c+frames-1)/frames)
		realVideos := min(videos-1, max(1, int(float64(videos)*realFrac+0.5)))
		fakeVideos := max(minVideos, videos-realVideos)
		realVideos = max(minVideos, realVideos)
		videos = realVideos + fakeVideos
		for k := range videos {
			label := 1
			if k < realVideos {
				label = 0
			}
			file := role
			if role != "test" {
				file = [2]string{"real", "fake"}[label] + role
			}
			p := videoPlan{dataset: dataset, file: file, subgroup: g, label: label, frames: frames,
				identity: next[0], ordinal: next[1]}
			next[0]++
			next[1]++
			if label == 1 {
				p.donor = next[0]
				next[0]++
			}
			out = append(out, p)
		}
	}
	return out
}

// plan lays out every video of a scale.
func plan(sc Scale) []videoPlan {
	var out []videoPlan
	for _, ds := range Datasets {
		var next [2]int
		if ds == "ff++" {
			out = append(out, planRole(ds, "train", sc.TrainFrames, sc.FramesPerVideo, 1, trainRealFraction, &next)...)
			out = append(out, planRole(ds, "val", sc.ValFrames, sc.FramesPerVideo, max(1, sc.ValMinVideos), valRealFraction, &next)...)
		}
		out = append(out, planRole(ds, "test", sc.TestFrames, sc.FramesPerVideo, 1, testRealFraction, &next)...)
	}
	return out
}
