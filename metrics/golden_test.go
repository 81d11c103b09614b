package metrics

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

// The goldens come from testdata/gen/goldens.py (scikit-learn 1.2.1 for AUC, AP and ROC;
// numpy from REFERENCE.md's definitions for EER, ACC, fairness, thresholds and DeLong).

type goldenFile struct {
	Cases  []goldenCase   `json:"cases"`
	DeLong []goldenDeLong `json:"delong"`
}

type goldenCase struct {
	Name      string    `json:"name"`
	Scores    []float64 `json:"scores"`
	Labels    []int     `json:"labels"`
	Groups    []int     `json:"groups"`
	Videos    []string  `json:"videos"`
	Threshold float64   `json:"threshold"`
	// MinSubgroup is an explicit minimum subgroup size; 0: each convention's own.
	MinSubgroup int                 `json:"min_subgroup"`
	ROC         goldenROC           `json:"roc"`
	Thresholds  map[string]*float64 `json:"thresholds"`
	Expect      map[string]goldenDetection
}

type goldenROC struct {
	FPR        []*float64 `json:"fpr"`
	TPR        []*float64 `json:"tpr"`
	Thresholds []float64  `json:"thresholds"`
}

type goldenDetection struct {
	N         int                       `json:"n"`
	Positives int                       `json:"positives"`
	Negatives int                       `json:"negatives"`
	AUC       *float64                  `json:"auc"`
	ACC       *float64                  `json:"acc"`
	EER       *float64                  `json:"eer"`
	AP        *float64                  `json:"ap"`
	Fairness  map[string]goldenFairness `json:"fairness"`
	Video     *goldenDetection          `json:"video"`
	Mixed     int                       `json:"mixed_group_videos"`
}

type goldenFairness struct {
	Valid       int                     `json:"valid"`
	Defined     bool                    `json:"defined"`
	FPRAll      *float64                `json:"fpr_all"`
	FFPR        *float64                `json:"f_fpr"`
	FFPROverall *float64                `json:"f_fpr_overall"`
	FOAE        *float64                `json:"f_oae"`
	FDP         *float64                `json:"f_dp"`
	FMEO        *float64                `json:"f_meo"`
	Skipped     map[string]string       `json:"skipped"`
	Groups      map[string]goldenRowExp `json:"groups"`
}

type goldenRowExp struct {
	N         int      `json:"n"`
	Positives int      `json:"positives"`
	Negatives int      `json:"negatives"`
	FPR       *float64 `json:"fpr"`
	TPR       *float64 `json:"tpr"`
	FNR       *float64 `json:"fnr"`
	TNR       *float64 `json:"tnr"`
	ACC       *float64 `json:"acc"`
	PR        *float64 `json:"pr"`
	NR        *float64 `json:"nr"`
	AUC       *float64 `json:"auc"`
	Used      bool     `json:"used"`
}

type goldenDeLong struct {
	Name   string              `json:"name"`
	Labels []int               `json:"labels"`
	A      []float64           `json:"a"`
	B      []float64           `json:"b"`
	Expect map[string]*float64 `json:"expect"`
}

const tol = 1e-9

func loadGoldens(t testing.TB) goldenFile {
	t.Helper()
	data, err := os.ReadFile("testdata/goldens.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("parse goldens: %v", err)
	}
	if len(g.Cases) < 10 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	return g
}

// near compares got with a golden value, nil meaning undefined (NaN).
func near(t *testing.T, what string, got float64, want *float64) {
	t.Helper()
	if want == nil {
		if !math.IsNaN(got) {
			t.Errorf("%s = %v, want undefined (NaN)", what, got)
		}
		return
	}
	if math.IsNaN(got) || math.Abs(got-*want) > tol {
		t.Errorf("%s = %.17g, want %.17g", what, got, *want)
	}
}

func TestGoldenDetectionAndFairness(t *testing.T) {
	g := loadGoldens(t)
	for _, c := range g.Cases {
		for _, conv := range Conventions() {
			t.Run(c.Name+"/"+conv, func(t *testing.T) {
				want, ok := c.Expect[conv]
				if !ok {
					t.Fatalf("no golden for convention %s", conv)
				}
				in := Input{Scores: c.Scores, Labels: c.Labels, Groups: c.Groups, Videos: c.Videos}
				res, err := Evaluate(in, Options{Convention: conv, Threshold: c.Threshold,
					MinSubgroupSize: c.MinSubgroup})
				if err != nil {
					t.Fatal(err)
				}
				checkDetection(t, "", res.N, res.Positives, res.Negatives, res.AUC, res.ACC, res.EER,
					res.AP, res.Fairness, want)
				if (want.Video != nil) != (res.Video != nil) {
					t.Fatalf("video result present = %v, want %v", res.Video != nil, want.Video != nil)
				}
				if v := res.Video; v != nil {
					checkDetection(t, "video.", v.N, v.Positives, v.Negatives, v.AUC, v.ACC, v.EER, v.AP,
						v.Fairness, *want.Video)
					if v.MixedGroup != want.Video.Mixed {
						t.Errorf("mixed_group_videos = %d, want %d", v.MixedGroup, want.Video.Mixed)
					}
				}
			})
		}
	}
}

func checkDetection(t *testing.T, prefix string, n, pos, neg int, auc, acc, eer, ap float64,
	f Fairness, want goldenDetection) {
	t.Helper()
	if n != want.N || pos != want.Positives || neg != want.Negatives {
		t.Errorf("%sn/pos/neg = %d/%d/%d, want %d/%d/%d", prefix, n, pos, neg, want.N,
			want.Positives, want.Negatives)
	}
	near(t, prefix+"auc", auc, want.AUC)
	near(t, prefix+"acc", acc, want.ACC)
	near(t, prefix+"eer", eer, want.EER)
	near(t, prefix+"ap", ap, want.AP)
	parts := map[string]GroupFairness{"intersectional": f.Intersectional, "gender": f.Gender,
		"race": f.Race}
	for name, got := range parts {
		w, ok := want.Fairness[name]
		if !ok {
			t.Fatalf("no golden fairness %s", name)
		}
		p := prefix + name + "."
		if got.Valid != w.Valid || got.Defined != w.Defined {
			t.Errorf("%svalid/defined = %d/%v, want %d/%v", p, got.Valid, got.Defined, w.Valid, w.Defined)
		}
		near(t, p+"fpr_all", got.FPRAll, w.FPRAll)
		near(t, p+"f_fpr", got.FFPR, w.FFPR)
		near(t, p+"f_fpr_overall", got.FFPROverall, w.FFPROverall)
		near(t, p+"f_oae", got.FOAE, w.FOAE)
		near(t, p+"f_dp", got.FDP, w.FDP)
		near(t, p+"f_meo", got.FMEO, w.FMEO)
		if len(got.Skipped) != len(w.Skipped) {
			t.Errorf("%sskipped = %v, want %v", p, got.Skipped, w.Skipped)
		}
		for k, reason := range w.Skipped {
			if got.Skipped[k] != reason {
				t.Errorf("%sskipped[%s] = %q, want %q", p, k, got.Skipped[k], reason)
			}
		}
		if len(got.Groups) != len(w.Groups) {
			t.Errorf("%s%d group rows, want %d", p, len(got.Groups), len(w.Groups))
		}
		for k, wr := range w.Groups {
			gr, ok := got.Groups[k]
			if !ok {
				t.Errorf("%sgroups lacks %s", p, k)
				continue
			}
			q := p + k + "."
			if gr.N != wr.N || gr.Positives != wr.Positives || gr.Negatives != wr.Negatives || gr.Used != wr.Used {
				t.Errorf("%s n/pos/neg/used = %d/%d/%d/%v, want %d/%d/%d/%v", q, gr.N, gr.Positives,
					gr.Negatives, gr.Used, wr.N, wr.Positives, wr.Negatives, wr.Used)
			}
			near(t, q+"fpr", gr.FPR, wr.FPR)
			near(t, q+"tpr", gr.TPR, wr.TPR)
			near(t, q+"fnr", gr.FNR, wr.FNR)
			near(t, q+"tnr", gr.TNR, wr.TNR)
			near(t, q+"acc", gr.ACC, wr.ACC)
			near(t, q+"pr", gr.PR, wr.PR)
			near(t, q+"nr", gr.NR, wr.NR)
			near(t, q+"auc", gr.AUC, wr.AUC)
		}
	}
}

func TestGoldenROC(t *testing.T) {
	for _, c := range loadGoldens(t).Cases {
		t.Run(c.Name, func(t *testing.T) {
			fpr, tpr, thr := ROC(c.Scores, c.Labels)
			if len(fpr) != len(c.ROC.FPR) || len(tpr) != len(c.ROC.TPR) || len(thr) != len(c.ROC.Thresholds)+1 {
				t.Fatalf("ROC has %d/%d/%d points, want %d/%d/%d", len(fpr), len(tpr), len(thr),
					len(c.ROC.FPR), len(c.ROC.TPR), len(c.ROC.Thresholds)+1)
			}
			if !math.IsInf(thr[0], 1) {
				t.Errorf("thresholds[0] = %v, want +Inf", thr[0])
			}
			for j := range fpr {
				near(t, "fpr", fpr[j], c.ROC.FPR[j])
				near(t, "tpr", tpr[j], c.ROC.TPR[j])
				if j > 0 && thr[j] != c.ROC.Thresholds[j-1] {
					t.Errorf("thresholds[%d] = %v, want %v", j, thr[j], c.ROC.Thresholds[j-1])
				}
			}
		})
	}
}

func TestGoldenThresholds(t *testing.T) {
	for _, c := range loadGoldens(t).Cases {
		t.Run(c.Name, func(t *testing.T) {
			in := Input{Scores: c.Scores, Labels: c.Labels}
			if c.Thresholds == nil {
				if _, err := ChooseThreshold(in, "youden"); err == nil {
					t.Errorf("one-class input: want an error")
				}
				return
			}
			maxScore := math.Inf(-1)
			for _, s := range c.Scores {
				maxScore = math.Max(maxScore, s)
			}
			for rule, want := range c.Thresholds {
				got, err := ChooseThreshold(in, rule)
				if err != nil {
					t.Fatalf("%s: %v", rule, err)
				}
				if want == nil {
					if got <= maxScore {
						t.Errorf("%s = %v, want just above the highest score %v", rule, got, maxScore)
					}
					continue
				}
				if got != *want {
					t.Errorf("%s = %v, want %v", rule, got, *want)
				}
			}
		})
	}
}
