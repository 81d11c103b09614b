package synth

import (
	"flag"
	"fmt"
	"image"
	"math"
	"sync"
	"testing"
)

var (
	qualityScale = flag.String("synth.quality-scale", "", "scale of TestPixelStatisticsBaseline (tiny, small, full; default: the internal check scale)")
	qualitySeed  = flag.Int64("synth.quality-seed", 42, "seed of TestPixelStatisticsBaseline")
)

// checkScale is a cheap stand-in for the named scales in the default test run:
// small images (pixel means and standard deviations hardly depend on the
// resolution) and enough videos for stable AUCs.
var checkScale = Scale{Name: "check", ImageSize: 40, FramesPerVideo: 4, TrainFrames: 3200, ValFrames: 1600, TestFrames: 1200}

// pixelStats are the trivial statistics the quality bar is about: per-channel
// mean and standard deviation of an image.
func pixelStats(img *image.NRGBA) [6]float64 {
	var sum, sq [3]float64
	n := float64(len(img.Pix) / 4)
	for i := 0; i < len(img.Pix); i += 4 {
		for c := range 3 {
			v := float64(img.Pix[i+c]) / 255
			sum[c] += v
			sq[c] += v * v
		}
	}
	var out [6]float64
	for c := range 3 {
		m := sum[c] / n
		out[c] = m
		out[3+c] = math.Sqrt(math.Max(0, sq[c]/n-m*m))
	}
	return out
}

type statSet struct {
	x [][6]float64
	y []int
}

// renderStats renders every frame of the scale in memory (no PNG files) and
// groups the pixel statistics by "<dataset>/<role>".
func renderStats(t testing.TB, sc Scale, seed int64) map[string]*statSet {
	videos := plan(sc)
	type result struct {
		x [][6]float64
	}
	res := make([]result, len(videos))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range jobs {
				r, err := newVideoRenderer(sc, seed, DefaultBias, videos[i])
				if err != nil {
					t.Error(err)
					continue
				}
				for f := range videos[i].frames {
					res[i].x = append(res[i].x, pixelStats(r.frame(f)))
				}
			}
		})
	}
	for i := range videos {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	out := map[string]*statSet{}
	for i, v := range videos {
		role := v.file
		switch v.file {
		case "realtrain", "faketrain":
			role = "train"
		case "realval", "fakeval":
			role = "val"
		}
		key := v.dataset + "/" + role
		if out[key] == nil {
			out[key] = &statSet{}
		}
		for _, x := range res[i].x {
			out[key].x = append(out[key].x, x)
			out[key].y = append(out[key].y, v.label)
		}
	}
	return out
}

// logistic is a plain L2-regularized logistic regression on standardized
// features, trained by full-batch gradient descent.
type logistic struct {
	mean, std [6]float64
	w         [6]float64
	b         float64
}

func fitLogistic(s *statSet) logistic {
	var m logistic
	n := float64(len(s.x))
	for _, x := range s.x {
		for k := range 6 {
			m.mean[k] += x[k] / n
		}
	}
	for _, x := range s.x {
		for k := range 6 {
			m.std[k] += (x[k] - m.mean[k]) * (x[k] - m.mean[k]) / n
		}
	}
	for k := range 6 {
		m.std[k] = math.Sqrt(m.std[k]) + 1e-12
	}
	const lr, l2 = 0.5, 1e-3
	for range 2000 {
		var gw [6]float64
		var gb float64
		for i, x := range s.x {
			p := m.predict(x)
			d := p - float64(s.y[i])
			for k := range 6 {
				gw[k] += d * (x[k] - m.mean[k]) / m.std[k] / n
			}
			gb += d / n
		}
		for k := range 6 {
			m.w[k] -= lr * (gw[k] + l2*m.w[k])
		}
		m.b -= lr * gb
	}
	return m
}

func (m logistic) predict(x [6]float64) float64 {
	z := m.b
	for k := range 6 {
		z += m.w[k] * (x[k] - m.mean[k]) / m.std[k]
	}
	return 1 / (1 + math.Exp(-z))
}

func (m logistic) auc(s *statSet) float64 {
	scores := make([]float64, len(s.x))
	for i, x := range s.x {
		scores[i] = m.predict(x)
	}
	return rankAUC(scores, s.y)
}

// TestPixelStatisticsBaseline is the dataset's quality bar: a logistic
// regression on per-channel mean and std, trained on ff++ train, must learn
// something in domain (AUC > 0.6 on ff++ val) but must not solve the test
// datasets (AUC <= 0.9 on each of celebdf, dfd, dfdc).
func TestPixelStatisticsBaseline(t *testing.T) {
	sc := checkScale
	if *qualityScale != "" {
		var err error
		if sc, err = ScaleByName(*qualityScale); err != nil {
			t.Fatal(err)
		}
	}
	sets := renderStats(t, sc, *qualitySeed)
	m := fitLogistic(sets["ff++/train"])
	report := fmt.Sprintf("scale %s seed %d:", sc.Name, *qualitySeed)
	for _, key := range []string{"ff++/train", "ff++/val", "ff++/test", "celebdf/test", "dfd/test", "dfdc/test"} {
		auc := m.auc(sets[key])
		report += fmt.Sprintf(" %s=%.3f", key, auc)
		switch {
		case key == "ff++/val" && auc <= 0.6:
			t.Errorf("%s AUC %.3f, want > 0.6 (learnable)", key, auc)
		case key != "ff++/val" && key[:4] != "ff++" && auc > 0.9:
			t.Errorf("%s AUC %.3f, want <= 0.9 (not trivially separable)", key, auc)
		}
	}
	t.Log(report)
}
