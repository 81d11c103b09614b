// Package metrics computes fairclip's detection metrics (AUC, AP, ACC, EER, ROC), their
// video-level variants, subgroup fairness metrics, bootstrap confidence intervals, paired
// comparisons and decision thresholds.
//
// Every number is computed under a named convention (see [Conventions]) that fixes the
// prediction operator, the EER form, the subgroup rules and the F_FPR form, as restated in the
// project's REFERENCE.md section 5. Values are fractions; NaN means undefined (null in JSON).
package metrics
