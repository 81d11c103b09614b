package metrics

// pass holds what one weighted pass over a view yields: detection metrics and the confusion
// matrices at the threshold, overall and per intersectional subgroup.
type pass struct {
	auc, ap, eer, acc float64
	all               counts
	per               [NumSubgroups]counts
}

// evaluate runs the metrics of v under per-sample weights w (nil: 1), reusing c's buffers.
// One pass over the runs of equal scores builds the ROC steps and the confusion matrices: a
// run shares one score, hence one prediction.
func (v *view) evaluate(w []float64, conv Convention, threshold float64, c *curve) pass {
	c.fps, c.tps, c.thr = c.fps[:0], c.tps[:0], c.thr[:0]
	// cells[pred][group+1][label] accumulates weights.
	var cells [2][NumSubgroups + 1][2]float64
	var fp, tp float64
	for b := 0; b+1 < len(v.blocks); b++ {
		lo, hi := v.blocks[b], v.blocks[b+1]
		pred := 0
		if conv.predictsFake(v.s[lo], threshold) {
			pred = 1
		}
		cell := &cells[pred]
		var bw [2]float64
		for i := lo; i < hi; i++ {
			wi := 1.0
			if w != nil {
				wi = w[i]
			}
			y := v.y[i]
			bw[y] += wi
			cell[v.g[i]+1][y] += wi
		}
		if bw[0] == 0 && bw[1] == 0 {
			continue // a score nobody drew is no ROC point
		}
		fp += bw[0]
		tp += bw[1]
		c.fps = append(c.fps, fp)
		c.tps = append(c.tps, tp)
		c.thr = append(c.thr, v.s[lo])
	}
	r := pass{auc: c.auc(), ap: c.ap(), eer: c.eer(conv)}
	for g := range NumSubgroups + 1 {
		k := counts{tp: cells[1][g][1], fp: cells[1][g][0], tn: cells[0][g][0], fn: cells[0][g][1]}
		r.all.add(k)
		if g > 0 {
			r.per[g-1] = k
		}
	}
	r.acc = conv.ratio(r.all.tp+r.all.tn, r.all.n())
	return r
}

// scalarNames lists the metrics of a scalar vector, in order: detection, then the five gaps of
// each partition, then the same for videos when hasVideo.
func scalarNames(hasVideo bool) []string {
	var names []string
	add := func(prefix string) {
		for _, m := range []string{"auc", "acc", "eer", "ap"} {
			names = append(names, prefix+m)
		}
		for _, p := range partitions() {
			for _, m := range []string{"f_fpr", "f_fpr_overall", "f_oae", "f_dp", "f_meo"} {
				names = append(names, prefix+p.name+"."+m)
			}
		}
	}
	add("")
	if hasVideo {
		add("video.")
	}
	return names
}

// scalarScratch holds the buffers one goroutine reuses across resamples.
type scalarScratch struct {
	c       curve
	classes []counts
}

// appendScalars appends the scalarNames values of one pass.
func appendScalars(out []float64, r pass, conv Convention, minN int, sc *scalarScratch) []float64 {
	out = append(out, r.auc, r.acc, r.eer, r.ap)
	for _, p := range partitions() {
		sc.classes = partitionCounts(p, &r.per, sc.classes)
		g := conv.fairnessGaps(sc.classes, r.all, minN)
		out = append(out, g.ffpr, g.ffprOverall, g.foae, g.fdp, g.fmeo)
	}
	return out
}

// scalars computes the full scalar vector of p under unit weights (nil: every unit once).
func (p *prepared) scalars(unitW []float64, frameW, videoW []float64, conv Convention,
	threshold float64, minN int, sc *scalarScratch, out []float64) []float64 {
	fill := func(v *view, w []float64) []float64 {
		if unitW == nil {
			return nil
		}
		for i, u := range v.unit {
			w[i] = unitW[u]
		}
		return w
	}
	out = appendScalars(out[:0], p.frames.evaluate(fill(&p.frames, frameW), conv, threshold, &sc.c),
		conv, minN, sc)
	if p.videos != nil {
		out = appendScalars(out, p.videos.evaluate(fill(p.videos, videoW), conv, threshold, &sc.c),
			conv, minN, sc)
	}
	return out
}
