package metrics

// Result is the evaluation of one score set. Its JSON form is `fairclip metrics --json`:
// fractions, NaN (undefined) as null.
type Result struct {
	Convention string  `json:"convention"`
	N          int     `json:"n"`
	Positives  int     `json:"positives"`
	Negatives  int     `json:"negatives"`
	AUC        float64 `json:"auc"`
	ACC        float64 `json:"acc"`
	EER        float64 `json:"eer"`
	AP         float64 `json:"ap"`
	// Threshold is the decision threshold used for ACC and fairness.
	Threshold float64 `json:"threshold"`
	// PredictedPositiveShare is the share of samples predicted fake; MajorityShare the share
	// of the larger class (the ACC of a constant prediction, for spotting degenerate models).
	PredictedPositiveShare float64      `json:"predicted_positive_share"`
	MajorityShare          float64      `json:"majority_share"`
	Fairness               Fairness     `json:"fairness"`
	Video                  *VideoResult `json:"video,omitempty"`
	CI                     *CI          `json:"ci,omitempty"`
}

// Fairness holds the fairness metrics over the three partitions of the subgroups.
type Fairness struct {
	Intersectional GroupFairness `json:"intersectional"`
	Gender         GroupFairness `json:"gender"`
	Race           GroupFairness `json:"race"`
}

// GroupFairness is the fairness of one partition (intersectional, gender or race).
type GroupFairness struct {
	// Defined is false when fewer than two subgroups are valid; Reason then says why and every
	// gap is NaN.
	Defined bool   `json:"defined"`
	Reason  string `json:"reason,omitempty"`
	// FFPR is in the convention's form; FFPROverall = sum_g |FPR_g - FPR_all|.
	FFPR        float64 `json:"f_fpr"`
	FFPROverall float64 `json:"f_fpr_overall"`
	FOAE        float64 `json:"f_oae"`
	FDP         float64 `json:"f_dp"`
	FMEO        float64 `json:"f_meo"`
	// FPRAll is the FPR over all samples, unknown subgroups included.
	FPRAll float64 `json:"fpr_all"`
	// Valid counts the subgroups that enter the gaps.
	Valid int `json:"valid"`
	// Unknown counts the samples without a known subgroup.
	Unknown int `json:"unknown"`
	// Groups has one entry per subgroup with samples; Skipped says why a subgroup is left
	// out of the gaps.
	Groups  map[string]SubgroupStats `json:"groups"`
	Skipped map[string]string        `json:"skipped"`
}

// SubgroupStats is one row of the per-subgroup table. Rates use the convention's rule for a
// zero denominator (0 in fairclip, NaN otherwise); AUC is NaN unless both classes are present.
type SubgroupStats struct {
	N         int     `json:"n"`
	Positives int     `json:"positives"`
	Negatives int     `json:"negatives"`
	FPR       float64 `json:"fpr"`
	TPR       float64 `json:"tpr"`
	FNR       float64 `json:"fnr"`
	TNR       float64 `json:"tnr"`
	ACC       float64 `json:"acc"`
	PR        float64 `json:"pr"`
	NR        float64 `json:"nr"`
	AUC       float64 `json:"auc"`
	// Used tells whether the subgroup enters the gaps.
	Used bool `json:"used"`
}

// VideoResult holds the video-level metrics: each video scores the mean of its samples'
// scores (DeepfakeBench).
type VideoResult struct {
	N          int      `json:"n"`
	Positives  int      `json:"positives"`
	Negatives  int      `json:"negatives"`
	AUC        float64  `json:"auc"`
	ACC        float64  `json:"acc"`
	EER        float64  `json:"eer"`
	AP         float64  `json:"ap"`
	Fairness   Fairness `json:"fairness"`
	MixedGroup int      `json:"mixed_group_videos"`
}

// CI holds percentile bootstrap confidence intervals.
type CI struct {
	Level     float64 `json:"level"`
	Resamples int     `json:"resamples"`
	Seed      int64   `json:"seed"`
	// Unit is "video" when whole videos were resampled, "sample" otherwise.
	Unit string `json:"unit"`
	// Intervals maps a metric name ("auc", "intersectional.f_fpr", "video.auc", ...) to its
	// interval.
	Intervals map[string]Interval `json:"intervals"`
}

// Interval is a confidence interval; Undefined counts resamples where the metric was
// undefined (left out of the percentiles).
type Interval struct {
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	Undefined int     `json:"undefined"`
}

// MarshalJSON writes NaN and infinities as null.
func (r Result) MarshalJSON() ([]byte, error) { return marshalNaNNull(r) }
