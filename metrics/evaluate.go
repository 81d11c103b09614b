package metrics

import (
	"fmt"
	"math"
)

// Options selects the convention and the extras of an evaluation.
type Options struct {
	// Convention is "fairclip" (default), "pgfdd" or "deepfakebench".
	Convention string
	// Threshold decides fake vs real for ACC and fairness; 0 means 0.5.
	Threshold float64
	// Bootstrap is the number of bootstrap resamples for confidence intervals (0: none).
	Bootstrap int
	// Seed seeds the bootstrap.
	Seed int64
	// Level is the confidence level of the intervals; 0 means 0.95.
	Level float64
	// Workers is the number of goroutines of the bootstrap; 0 means 2.
	Workers int
	// MinSubgroupSize is the smallest subgroup entering the fairness gaps; 0 means the
	// convention's own (10 for fairclip, none for pgfdd and deepfakebench).
	MinSubgroupSize int
}

func (o Options) withDefaults() (Options, Convention, error) {
	conv, err := ConventionByName(o.Convention)
	if err != nil {
		return o, conv, err
	}
	o.Convention = conv.Name
	if o.Threshold == 0 {
		o.Threshold = 0.5
	}
	if math.IsNaN(o.Threshold) || math.IsInf(o.Threshold, 0) {
		return o, conv, fmt.Errorf("threshold %v is not finite", o.Threshold)
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	if o.Level <= 0 || o.Level >= 1 {
		return o, conv, fmt.Errorf("confidence level %v outside (0, 1)", o.Level)
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.MinSubgroupSize < 0 {
		return o, conv, fmt.Errorf("minimum subgroup size %d < 0", o.MinSubgroupSize)
	}
	if o.MinSubgroupSize == 0 {
		o.MinSubgroupSize = conv.MinSubgroupSize
	}
	if o.Bootstrap < 0 {
		return o, conv, fmt.Errorf("bootstrap resamples %d < 0", o.Bootstrap)
	}
	return o, conv, nil
}

// Evaluate computes detection metrics, fairness metrics with per-subgroup tables, video-level
// metrics when in has video ids, and bootstrap intervals when opts.Bootstrap > 0. Input
// errors match [ErrBadInput].
func Evaluate(in Input, opts Options) (Result, error) {
	opts, conv, err := opts.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if err := in.Validate(); err != nil {
		return Result{}, err
	}
	p, err := prepare(in)
	if err != nil {
		return Result{}, err
	}
	return p.result(conv, opts)
}

func (p *prepared) result(conv Convention, opts Options) (Result, error) {
	var c curve
	fr := p.frames.evaluate(nil, conv, opts.Threshold, &c)
	res := Result{
		Convention: conv.Name,
		N:          len(p.frames.s),
		Positives:  int(fr.all.pos()),
		Negatives:  int(fr.all.neg()),
		AUC:        fr.auc, ACC: fr.acc, EER: fr.eer, AP: fr.ap,
		Threshold: opts.Threshold,
		Fairness:  p.frames.fairness(fr, conv, opts.MinSubgroupSize),
	}
	n := fr.all.n()
	res.PredictedPositiveShare = (fr.all.tp + fr.all.fp) / n
	res.MajorityShare = math.Max(fr.all.pos(), fr.all.neg()) / n
	if p.videos != nil {
		vr := p.videos.evaluate(nil, conv, opts.Threshold, &c)
		res.Video = &VideoResult{
			N:         len(p.videos.s),
			Positives: int(vr.all.pos()), Negatives: int(vr.all.neg()),
			AUC: vr.auc, ACC: vr.acc, EER: vr.eer, AP: vr.ap,
			Fairness:   p.videos.fairness(vr, conv, opts.MinSubgroupSize),
			MixedGroup: p.mixedGroup,
		}
	}
	if opts.Bootstrap > 0 {
		ci, err := p.bootstrap(conv, opts)
		if err != nil {
			return res, err
		}
		res.CI = ci
	}
	return res, nil
}

// fairness builds the three partitions' fairness with their subgroup tables from a pass.
func (v *view) fairness(r pass, conv Convention, minN int) Fairness {
	unknown := 0
	for _, g := range v.g {
		if g < 0 {
			unknown++
		}
	}
	aucs := v.classAUCs()
	var out [3]GroupFairness
	for k, part := range partitions() {
		classes := partitionCounts(part, &r.per, nil)
		g := conv.fairnessGaps(classes, r.all, minN)
		gf := GroupFairness{
			Defined: g.valid >= 2,
			FFPR:    g.ffpr, FFPROverall: g.ffprOverall, FOAE: g.foae, FDP: g.fdp, FMEO: g.fmeo,
			FPRAll: g.fprAll, Valid: g.valid, Unknown: unknown,
			Groups:  map[string]SubgroupStats{},
			Skipped: map[string]string{},
		}
		if !gf.Defined {
			gf.Reason = fmt.Sprintf("%d valid %s subgroup(s); at least 2 are needed", g.valid, part.name)
		}
		for cls, name := range part.classes {
			cnt := classes[cls]
			reason := conv.skipReason(cnt, minN)
			if reason != "" {
				gf.Skipped[name] = reason
			}
			if cnt.n() == 0 {
				continue
			}
			rt := conv.rates(cnt)
			gf.Groups[name] = SubgroupStats{
				N: int(cnt.n()), Positives: int(cnt.pos()), Negatives: int(cnt.neg()),
				FPR: rt.fpr, TPR: rt.tpr, FNR: rt.fnr, TNR: rt.tnr, ACC: rt.acc, PR: rt.pr, NR: rt.nr,
				AUC:  aucs[k][cls],
				Used: reason == "",
			}
		}
		out[k] = gf
	}
	return Fairness{Intersectional: out[0], Gender: out[1], Race: out[2]}
}
