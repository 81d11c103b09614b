package metrics

import (
	"fmt"
	"strings"
)

// Convention fixes the definitions that differ between the reference codebases
// (REFERENCE.md section 5): the prediction operator, the EER form, the subgroup rules and the
// F_FPR form.
type Convention struct {
	// Name is "fairclip", "pgfdd" or "deepfakebench".
	Name string
	// StrictGreater predicts fake when score > threshold (DeepfakeBench) instead of >=.
	StrictGreater bool
	// EERIsFPR reports EER as the FPR at the ROC point minimising |FNR-FPR| instead of
	// (FPR+FNR)/2 at that point.
	EERIsFPR bool
	// DropSingleClass removes a subgroup lacking either class from every fairness gap; without
	// it such a subgroup stays and its rates with a zero denominator count as 0.
	DropSingleClass bool
	// FPRRange reports F_FPR as max_g FPR_g - min_g FPR_g instead of
	// sum_g |FPR_g - mean_g FPR_g|.
	FPRRange bool
	// MinSubgroupSize is the convention's own smallest subgroup entering the gaps: 10 for
	// fairclip; 1 (no minimum) for pgfdd and deepfakebench, whose reference code has none.
	MinSubgroupSize int
}

// Conventions lists the convention names accepted by [ConventionByName].
func Conventions() []string { return []string{"fairclip", "pgfdd", "deepfakebench"} }

// ConventionByName returns the named convention; the empty name means "fairclip".
func ConventionByName(name string) (Convention, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "fairclip":
		return Convention{Name: "fairclip", MinSubgroupSize: 10}, nil
	case "pgfdd":
		return Convention{Name: "pgfdd", EERIsFPR: true, DropSingleClass: true, FPRRange: true,
			MinSubgroupSize: 1}, nil
	case "deepfakebench":
		return Convention{Name: "deepfakebench", StrictGreater: true, EERIsFPR: true,
			DropSingleClass: true, FPRRange: true, MinSubgroupSize: 1}, nil
	}
	return Convention{}, fmt.Errorf("unknown convention %q (want one of %s)", name,
		strings.Join(Conventions(), ", "))
}

// predictsFake applies the convention's operator.
func (c Convention) predictsFake(score, threshold float64) bool {
	if c.StrictGreater {
		return score > threshold
	}
	return score >= threshold
}

// Describe says in one line how the convention predicts and computes EER and F_FPR.
func (c Convention) Describe(threshold float64) string {
	op := ">="
	if c.StrictGreater {
		op = ">"
	}
	eer := "(FPR+FNR)/2 at min |FPR-FNR|"
	if c.EERIsFPR {
		eer = "FPR at min |FNR-FPR|"
	}
	ffpr := "sum_g |FPR_g - mean FPR|"
	if c.FPRRange {
		ffpr = "max_g FPR_g - min_g FPR_g"
	}
	return fmt.Sprintf("convention %s: fake if score %s %g; EER = %s; F_FPR = %s", c.Name, op,
		threshold, eer, ffpr)
}
