package metrics

import (
	"fmt"
	"math"
)

// counts is a (weighted) confusion matrix: fake = positive.
type counts struct{ tp, fp, tn, fn float64 }

func (c counts) n() float64   { return c.tp + c.fp + c.tn + c.fn }
func (c counts) pos() float64 { return c.tp + c.fn }
func (c counts) neg() float64 { return c.fp + c.tn }

func (c *counts) add(o counts) { c.tp += o.tp; c.fp += o.fp; c.tn += o.tn; c.fn += o.fn }

// ratio divides, giving 0 (fairclip) or NaN (the other conventions) for a zero denominator.
func (conv Convention) ratio(num, den float64) float64 {
	if den == 0 {
		if conv.DropSingleClass {
			return math.NaN()
		}
		return 0
	}
	return num / den
}

// rates are a subgroup's rates at the threshold.
type rates struct{ fpr, tpr, fnr, tnr, acc, pr, nr float64 }

func (conv Convention) rates(c counts) rates {
	n := c.n()
	return rates{
		fpr: conv.ratio(c.fp, c.neg()),
		tpr: conv.ratio(c.tp, c.pos()),
		fnr: conv.ratio(c.fn, c.pos()),
		tnr: conv.ratio(c.tn, c.neg()),
		acc: conv.ratio(c.tp+c.tn, n),
		pr:  conv.ratio(c.tp+c.fp, n),
		nr:  conv.ratio(c.tn+c.fn, n),
	}
}

// skipReason says why a subgroup is left out of the gaps under conv, or "" if it is used.
func (conv Convention) skipReason(c counts, minN int) string {
	n := c.n()
	switch {
	case n == 0:
		return "no samples"
	case n < float64(minN):
		return fmt.Sprintf("n=%d < %d", int(n), minN)
	case conv.DropSingleClass && c.pos() == 0:
		return "no fakes"
	case conv.DropSingleClass && c.neg() == 0:
		return "no reals"
	}
	return ""
}

// gaps are one partition's fairness metrics (fractions).
type gaps struct {
	ffpr, ffprOverall, foae, fdp, fmeo float64
	fprAll                             float64
	valid                              int
}

// fairnessGaps computes the gaps over the classes of one partition: F_FPR in the convention's
// form, F_FPR_overall = sum_g |FPR_g - FPR_all|, and F_OAE, F_DP, F_MEO as ranges. With fewer
// than two valid classes every gap is NaN.
func (conv Convention) fairnessGaps(classes []counts, all counts, minN int) gaps {
	out := gaps{fprAll: conv.ratio(all.fp, all.neg())}
	var rs [NumSubgroups]rates
	k := 0
	for _, c := range classes {
		if conv.skipReason(c, minN) == "" {
			rs[k] = conv.rates(c)
			k++
		}
	}
	out.valid = k
	if k < 2 {
		nan := math.NaN()
		out.ffpr, out.ffprOverall, out.foae, out.fdp, out.fmeo = nan, nan, nan, nan, nan
		return out
	}
	used := rs[:k]
	rangeOf := func(get func(r rates) float64) float64 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range used {
			v := get(r)
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		return hi - lo
	}
	var meanFPR float64
	for _, r := range used {
		meanFPR += r.fpr
	}
	meanFPR /= float64(k)
	for _, r := range used {
		out.ffprOverall += math.Abs(r.fpr - out.fprAll)
		if !conv.FPRRange {
			out.ffpr += math.Abs(r.fpr - meanFPR)
		}
	}
	fprRange := rangeOf(func(r rates) float64 { return r.fpr })
	if conv.FPRRange {
		out.ffpr = fprRange
	}
	out.foae = rangeOf(func(r rates) float64 { return r.acc })
	out.fdp = math.Max(rangeOf(func(r rates) float64 { return r.pr }),
		rangeOf(func(r rates) float64 { return r.nr }))
	out.fmeo = math.Max(math.Max(fprRange, rangeOf(func(r rates) float64 { return r.fnr })),
		math.Max(rangeOf(func(r rates) float64 { return r.tnr }),
			rangeOf(func(r rates) float64 { return r.tpr })))
	return out
}

// partitionCounts folds the 8 intersectional confusion matrices into the classes of p.
func partitionCounts(p partition, per *[NumSubgroups]counts, dst []counts) []counts {
	dst = dst[:0]
	for range p.classes {
		dst = append(dst, counts{})
	}
	for id := range NumSubgroups {
		dst[p.of(id)].add(per[id])
	}
	return dst
}
