package metrics

import "math"

// curve holds the cumulative counts of scikit-learn's _binary_clf_curve: for each distinct
// score, in decreasing order, the (weighted) false and true positives among samples scoring
// at least that much. Buffers are reused between builds.
type curve struct {
	fps, tps, thr []float64
}

// build fills c from scores sorted in decreasing order, labels (1 fake) and optional
// per-sample weights (nil: 1). A distinct score whose samples all weigh 0 yields no point, as
// if those samples were absent.
func (c *curve) build(s []float64, y []uint8, w []float64) {
	c.fps, c.tps, c.thr = c.fps[:0], c.tps[:0], c.thr[:0]
	var fp, tp float64
	n := len(s)
	for i := 0; i < n; {
		v := s[i]
		var bfp, btp float64
		for ; i < n && s[i] == v; i++ {
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			if y[i] == 1 {
				btp += wi
			} else {
				bfp += wi
			}
		}
		if bfp == 0 && btp == 0 {
			continue
		}
		fp += bfp
		tp += btp
		c.fps = append(c.fps, fp)
		c.tps = append(c.tps, tp)
		c.thr = append(c.thr, v)
	}
}

// totals returns the total (weighted) negatives and positives.
func (c *curve) totals() (neg, pos float64) {
	if len(c.fps) == 0 {
		return 0, 0
	}
	last := len(c.fps) - 1
	return c.fps[last], c.tps[last]
}

// auc is the trapezoidal area under the ROC curve (scikit-learn's roc_auc_score: tied scores
// form one point, so a tie counts one half). NaN unless both classes are present.
func (c *curve) auc() float64 {
	neg, pos := c.totals()
	if neg <= 0 || pos <= 0 {
		return math.NaN()
	}
	var area, pfp, ptp float64
	for k := range c.fps {
		area += (c.fps[k] - pfp) * (c.tps[k] + ptp)
		pfp, ptp = c.fps[k], c.tps[k]
	}
	return area / (2 * neg * pos)
}

// ap is scikit-learn's average_precision_score: sum_k (R_k - R_{k-1}) P_k over distinct
// thresholds. NaN unless both classes are present.
func (c *curve) ap() float64 {
	neg, pos := c.totals()
	if neg <= 0 || pos <= 0 {
		return math.NaN()
	}
	var sum, ptp float64
	for k := range c.tps {
		if d := c.tps[k] - ptp; d != 0 {
			sum += d * (c.tps[k] / (c.tps[k] + c.fps[k]))
		}
		ptp = c.tps[k]
	}
	return sum / pos
}

// kept reports whether point k survives drop_intermediate: the ends always do, an interior
// point when the second difference of fps or tps there is non-zero.
func (c *curve) kept(k int) bool {
	m := len(c.fps)
	return m <= 2 || k == 0 || k == m-1 ||
		c.fps[k+1]-2*c.fps[k]+c.fps[k-1] != 0 || c.tps[k+1]-2*c.tps[k]+c.tps[k-1] != 0
}

// roc returns scikit-learn's roc_curve(drop_intermediate=True): collinear interior points are
// dropped, then (0, 0) is prepended with threshold +Inf. fpr (tpr) is NaN throughout when there
// are no negatives (positives).
func (c *curve) roc() (fpr, tpr, thr []float64) {
	m := len(c.fps)
	keep := make([]int, 0, m)
	for k := 0; k < m; k++ {
		if c.kept(k) {
			keep = append(keep, k)
		}
	}
	neg, pos := c.totals()
	fpr = make([]float64, len(keep)+1)
	tpr = make([]float64, len(keep)+1)
	thr = make([]float64, len(keep)+1)
	thr[0] = math.Inf(1)
	for j, k := range keep {
		fpr[j+1], tpr[j+1], thr[j+1] = c.fps[k], c.tps[k], c.thr[k]
	}
	for j := range fpr {
		if neg <= 0 {
			fpr[j] = math.NaN()
		} else {
			fpr[j] /= neg
		}
		if pos <= 0 {
			tpr[j] = math.NaN()
		} else {
			tpr[j] /= pos
		}
	}
	return fpr, tpr, thr
}

// eerIndex is the first ROC point minimising |FPR - FNR| (numpy's nanargmin), or -1.
func eerIndex(fpr, tpr []float64) int {
	best, arg := math.Inf(1), -1
	for j := range fpr {
		d := math.Abs(fpr[j] - (1 - tpr[j]))
		if d < best {
			best, arg = d, j
		}
	}
	return arg
}

// eer computes the equal error rate under conv on the drop_intermediate ROC points, without
// allocating. NaN unless both classes are present.
func (c *curve) eer(conv Convention) float64 {
	neg, pos := c.totals()
	if neg <= 0 || pos <= 0 {
		return math.NaN()
	}
	// (0, 0) first, as roc() prepends it; same arithmetic as roc() and eerIndex.
	best, bfpr, bfnr := math.Abs(0-(1-0.0)), 0.0, 1.0
	for k := range c.fps {
		if !c.kept(k) {
			continue
		}
		fpr, fnr := c.fps[k]/neg, 1-c.tps[k]/pos
		if d := math.Abs(fpr - fnr); d < best {
			best, bfpr, bfnr = d, fpr, fnr
		}
	}
	if conv.EERIsFPR {
		return bfpr
	}
	return (bfpr + bfnr) / 2
}

// ROC returns the ROC curve of scores against labels (1 fake, anything else real) as
// scikit-learn's roc_curve with drop_intermediate=True returns it: false positive rates, true
// positive rates and the decreasing thresholds, the first being +Inf (scikit-learn >= 1.3).
func ROC(scores []float64, labels []int) (fpr, tpr, thresholds []float64) {
	order := sortDescending(scores)
	s := make([]float64, len(order))
	y := make([]uint8, len(order))
	for i, o := range order {
		s[i] = scores[o]
		if labels[o] == 1 {
			y[i] = 1
		}
	}
	var c curve
	c.build(s, y, nil)
	return c.roc()
}

// classAUCs returns the AUC of every class of every partition (NaN where a class lacks either
// label) in one pass over the sorted samples: per distinct score, each class adds the
// trapezoid of its own ROC step, as curve.auc does for all samples.
func (v *view) classAUCs() [3][]float64 {
	parts := partitions()
	var offset [3]int
	total := 0
	for k, p := range parts {
		offset[k] = total
		total += len(p.classes)
	}
	// Per class: cumulative tp/fp, this block's tp/fp, and the doubled area.
	tp, fp := make([]float64, total), make([]float64, total)
	btp, bfp := make([]float64, total), make([]float64, total)
	area := make([]float64, total)
	var classOf [NumSubgroups][3]int
	for id := range NumSubgroups {
		for k, p := range parts {
			classOf[id][k] = offset[k] + p.of(id)
		}
	}
	n := len(v.s)
	for i := 0; i < n; {
		s := v.s[i]
		for ; i < n && v.s[i] == s; i++ {
			g := v.g[i]
			if g < 0 {
				continue
			}
			for _, c := range classOf[g] {
				if v.y[i] == 1 {
					btp[c]++
				} else {
					bfp[c]++
				}
			}
		}
		for c := range total {
			if btp[c] != 0 || bfp[c] != 0 {
				area[c] += bfp[c] * (2*tp[c] + btp[c])
				tp[c] += btp[c]
				fp[c] += bfp[c]
				btp[c], bfp[c] = 0, 0
			}
		}
	}
	var out [3][]float64
	for k, p := range parts {
		out[k] = make([]float64, len(p.classes))
		for j := range p.classes {
			c := offset[k] + j
			if tp[c] == 0 || fp[c] == 0 {
				out[k][j] = math.NaN()
			} else {
				out[k][j] = area[c] / (2 * tp[c] * fp[c])
			}
		}
	}
	return out
}
