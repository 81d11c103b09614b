package metrics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ThresholdRules lists the rules accepted by [ChooseThreshold]; "fpr=X" takes any X in (0, 1).
func ThresholdRules() []string { return []string{"youden", "eer", "fpr=0.05", "max-acc"} }

// ChooseThreshold picks a decision threshold on in by a named rule, to be applied to other score
// sets:
//   - "youden": the ROC point (drop_intermediate) maximising TPR - FPR;
//   - "eer": the ROC point minimising |FPR - FNR| (the EER point);
//   - "fpr=X": the lowest threshold whose FPR is at most X (the most fakes caught at that FPR);
//   - "max-acc": the threshold maximising accuracy.
//
// Ties go to the higher threshold. The threshold has ">=" semantics (score >= t is fake), as
// ROC thresholds do; when the rule prefers predicting nothing fake, the result lies just above
// the highest score. It needs both classes.
func ChooseThreshold(in Input, rule string) (float64, error) {
	if err := in.Validate(); err != nil {
		return 0, err
	}
	p, err := prepare(Input{Scores: in.Scores, Labels: in.Labels, Groups: in.Groups})
	if err != nil {
		return 0, err
	}
	var c curve
	c.build(p.frames.s, p.frames.y, nil)
	neg, pos := c.totals()
	if neg == 0 || pos == 0 {
		return 0, &InputError{Err: fmt.Errorf("threshold rule %q needs both real and fake samples", rule)}
	}
	none := math.Nextafter(p.frames.s[0], math.Inf(1)) // above every score: nothing fake
	r := strings.ToLower(strings.TrimSpace(rule))
	switch {
	case r == "youden":
		fpr, tpr, thr := c.roc()
		best, arg := math.Inf(-1), 1
		for j := 1; j < len(fpr); j++ {
			if d := tpr[j] - fpr[j]; d > best {
				best, arg = d, j
			}
		}
		return thr[arg], nil
	case r == "eer":
		fpr, tpr, thr := c.roc()
		if j := eerIndex(fpr, tpr); j > 0 {
			return thr[j], nil
		}
		return none, nil
	case strings.HasPrefix(r, "fpr="):
		x, err := strconv.ParseFloat(strings.TrimPrefix(r, "fpr="), 64)
		if err != nil || !(x > 0 && x < 1) {
			return 0, fmt.Errorf("threshold rule %q: want fpr=X with X in (0, 1)", rule)
		}
		t := none
		for k := range c.fps {
			if c.fps[k]/neg <= x {
				t = c.thr[k]
			}
		}
		return t, nil
	case r == "max-acc":
		n := neg + pos
		best, t := neg/n, none
		for k := range c.fps {
			if acc := (c.tps[k] + (neg - c.fps[k])) / n; acc > best {
				best, t = acc, c.thr[k]
			}
		}
		return t, nil
	}
	return 0, fmt.Errorf("unknown threshold rule %q (want one of %s, or fpr=X)", rule,
		strings.Join(ThresholdRules(), ", "))
}
