package sweep

import (
	"fmt"
	"math"
	"sort"
)

// lowerIsBetter lists validation metrics where smaller is better.
var lowerIsBetter = map[string]bool{"eer": true, "f_fpr": true, "f_fpr_overall": true, "f_oae": true, "f_dp": true, "f_meo": true}

// PruneDecision says whether a running trial should stop, and why.
func PruneDecision(rule Pruning, own []EpochPoint, completed [][]EpochPoint) (bool, string) {
	if rule.DegenerateEpochs > 0 {
		run := 0
		for _, e := range own {
			if e.Degenerate {
				run++
			} else {
				run = 0
			}
			if run > rule.DegenerateEpochs {
				return true, fmt.Sprintf("degenerate for %d consecutive epochs (limit %d) at epoch %d", run, rule.DegenerateEpochs, e.Epoch)
			}
		}
	}
	if rule.Median && len(own) > 0 {
		last := own[len(own)-1]
		if last.Epoch < rule.MinEpochs {
			return false, ""
		}
		v, ok := last.Val[rule.MedianMetric]
		if !ok || math.IsNaN(v) {
			return false, ""
		}
		var others []float64
		for _, curve := range completed {
			for _, e := range curve {
				if e.Epoch == last.Epoch {
					if x, ok := e.Val[rule.MedianMetric]; ok && !math.IsNaN(x) {
						others = append(others, x)
					}
				}
			}
		}
		if len(others) < rule.MinTrials {
			return false, ""
		}
		med := median(others)
		worse := v < med
		if lowerIsBetter[rule.MedianMetric] {
			worse = v > med
		}
		if worse {
			return true, fmt.Sprintf("val %s %.4f at epoch %d is worse than the median %.4f of %d completed trials",
				rule.MedianMetric, v, last.Epoch, med, len(others))
		}
	}
	return false, ""
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
