package train

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/fairclip/fairclip/atomicfile"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/runs"
)

// predictions are the head's eval-mode outputs on a whole split.
type predictions struct {
	logits []float32 // n*2
	prob   []float32
	gate   []float32
	// entropy is n*heads attention entropies under fusion_keys: tokens (else nil).
	entropy []float32
}

// predict runs the head in eval mode over every sample of s (view 0).
func (t *trainer) predict(s Split, cache *stage1Cache) (predictions, error) {
	n, d := s.Len(), t.mcfg.Dim
	var p predictions
	defer t.eng.holdParams()()
	chunk := evalChunk
	if t.mcfg.KeyTokens() == 1 {
		chunk = predictRows // patch-token keys are (K+1)x larger: keep their batch
	}
	clip := make([]float32, chunk*d)
	s1 := make([]float32, chunk*d)
	idx := make([]int, 0, chunk)
	views := make([]int, chunk)
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		idx = idx[:0]
		for i := lo; i < hi; i++ {
			idx = append(idx, i)
		}
		m := len(idx)
		if err := s.Rows(idx, views[:m], clip[:m*d]); err != nil {
			return p, err
		}
		if err := t.stage1For(cache, idx, views[:m], clip, s1); err != nil {
			return p, err
		}
		keys, err := t.eng.keys(s, idx, views[:m], s1)
		if err != nil {
			return p, err
		}
		out, err := t.eng.evalRows(clip, keys, m)
		if err != nil {
			return p, err
		}
		p.logits = append(p.logits, out.logits...)
		p.prob = append(p.prob, out.prob...)
		p.gate = append(p.gate, out.gate...)
		p.entropy = append(p.entropy, out.entropy...)
	}
	return p, nil
}

// metricsInput pairs predictions with a split's annotations.
func metricsInput(s Split, p predictions) metrics.Input {
	n := s.Len()
	in := metrics.Input{Scores: make([]float64, n), Labels: labelsOf(s), Groups: subgroupsOf(s),
		Videos: make([]string, n), Paths: make([]string, n)}
	for i := range n {
		in.Scores[i] = float64(p.prob[i])
		in.Videos[i] = s.Video(i)
		in.Paths[i] = s.ID(i)
	}
	return in
}

// summarize turns a metrics result into the events' Metrics.
func summarize(in metrics.Input, r metrics.Result, threshold float64, strict bool) runs.Metrics {
	f := r.Fairness.Intersectional
	m := runs.Metrics{AUC: r.AUC, ACC: r.ACC, EER: r.EER, AP: r.AP,
		FFPR: f.FFPR, FFPROverall: f.FFPROverall, FOAE: f.FOAE, FDP: f.FDP, FMEO: f.FMEO}
	var pos, predPos int
	for i, s := range in.Scores {
		pos += in.Labels[i]
		if s > threshold || (!strict && s == threshold) {
			predPos++
		}
	}
	n := float64(len(in.Scores))
	m.MajorityShare = math.Max(float64(pos), n-float64(pos)) / n
	m.PredictedPositiveShare = float64(predPos) / n
	return m
}

// metricsMap flattens Metrics for checkpoint metadata and TensorBoard.
func metricsMap(m runs.Metrics) map[string]float64 {
	return map[string]float64{"auc": m.AUC, "acc": m.ACC, "eer": m.EER, "ap": m.AP, "f_fpr": m.FFPR,
		"f_fpr_overall": m.FFPROverall, "f_oae": m.FOAE, "f_dp": m.FDP, "f_meo": m.FMEO}
}

// writeScores writes a score CSV (score,label,group,video,path) readable by
// `fairclip metrics`.
func writeScores(path string, in metrics.Input) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"score", "label", "group", "video", "path"})
	for i, s := range in.Scores {
		_ = w.Write([]string{strconv.FormatFloat(s, 'g', -1, 32), strconv.Itoa(in.Labels[i]),
			strconv.Itoa(in.Groups[i]), in.Videos[i], in.Paths[i]})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("scores %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// gateStats summarizes gate values (mean, min, max, 5th and 95th percentiles).
func gateStats(g []float32) runs.Gate {
	if len(g) == 0 {
		nan := math.NaN()
		return runs.Gate{Mean: nan, Min: nan, Max: nan, P5: nan, P95: nan}
	}
	s := make([]float64, len(g))
	var sum float64
	for i, v := range g {
		s[i] = float64(v)
		sum += s[i]
	}
	sort.Float64s(s)
	q := func(p float64) float64 {
		// Linear interpolation between order statistics (numpy's default).
		x := p * float64(len(s)-1)
		lo := int(math.Floor(x))
		hi := min(lo+1, len(s)-1)
		return s[lo] + (x-float64(lo))*(s[hi]-s[lo])
	}
	return runs.Gate{Mean: sum / float64(len(s)), Min: s[0], Max: s[len(s)-1], P5: q(0.05), P95: q(0.95)}
}

// valLoss is the mean over validation batches (of valBatch samples, the last one
// shorter) of the batch classification loss, as the original averages it.
func (t *trainer) valLoss(logits []float32, labels []int, valBatch int) float64 {
	var sum float64
	var batches int
	for lo := 0; lo < len(labels); lo += valBatch {
		hi := min(lo+valBatch, len(labels))
		sum += t.cls.Value(logits[2*lo:2*hi], labels[lo:hi])
		batches++
	}
	return sum / float64(batches)
}
