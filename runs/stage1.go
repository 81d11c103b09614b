package runs

import "time"

// TypeStage1Epoch is the type of a Stage 1 epoch event.
const TypeStage1Epoch = "stage1_epoch"

// NumSubgroups is the number of intersectional subgroups (race + 4*female) of the
// per-subgroup arrays of Stage1EpochEvent.
const NumSubgroups = 8

// BestMetricStage1 is the BestEvent metric of a Stage 1 run: the original's
// best_model_selection score w_cosine*cos + w_race_acc*race_acc + w_gender_acc*gender_acc,
// which is not a fraction.
const BestMetricStage1 = "stage1_score"

// Stage1EpochEvent is one finished Stage 1 epoch (training the fairness adapter A1):
// the training means over batches and the validation columns of the report (cosine
// similarity to CLIP, race/gender probe accuracy on the adapted and on the raw CLIP
// features, subgroup Sinkhorn distances before (raw CLIP) and after (adapted)).
// Undefined values, and the validation columns of an epoch that does not validate,
// are NaN (null).
type Stage1EpochEvent struct {
	Time  time.Time `json:"time"`
	Epoch int       `json:"epoch" check:"positive"`
	LR    float64   `json:"lr" check:"nonneg"`
	// LambdaGRL is the gradient-reversal strength of the epoch.
	LambdaGRL float64 `json:"lambda_grl" check:"nonneg"`

	TrainLoss       float64 `json:"train_loss"`
	TrainRaceLoss   float64 `json:"train_race_loss"`
	TrainGenderLoss float64 `json:"train_gender_loss"`
	// TrainSimilarityLoss is 1 - mean cosine(adapted, CLIP).
	TrainSimilarityLoss float64 `json:"train_similarity_loss"`
	// TrainFairnessLoss and TrainPairwiseLoss are the raw global and pairwise Sinkhorn losses.
	TrainFairnessLoss float64 `json:"train_fairness_loss"`
	TrainPairwiseLoss float64 `json:"train_pairwise_loss"`
	// TrainRaceAcc and TrainGenderAcc are the adversarial heads' accuracies.
	TrainRaceAcc         float64 `json:"train_race_acc" check:"fraction"`
	TrainGenderAcc       float64 `json:"train_gender_acc" check:"fraction"`
	FairUndefinedBatches int     `json:"fair_undefined_batches" check:"nonneg"`

	ValSamples int `json:"val_samples" check:"nonneg"`
	// ValCosine is the mean cosine(adapted, CLIP) over the validation rows, in [-1, 1].
	ValCosine    float64 `json:"val_cosine"`
	ValRaceAcc   float64 `json:"val_race_acc" check:"fraction"`
	ValGenderAcc float64 `json:"val_gender_acc" check:"fraction"`
	// Score is the best_model_selection score (see BestMetricStage1).
	Score float64 `json:"score"`

	// Probe accuracies: balanced accuracy of a logistic probe on the adapted features
	// and on the raw CLIP features (lower is fairer).
	ProbeRaceAcc       float64 `json:"probe_race_acc" check:"fraction"`
	ProbeGenderAcc     float64 `json:"probe_gender_acc" check:"fraction"`
	ProbeRaceAccCLIP   float64 `json:"probe_race_acc_clip" check:"fraction"`
	ProbeGenderAccCLIP float64 `json:"probe_gender_acc_clip" check:"fraction"`

	SinkhornGlobalBefore   float64 `json:"sinkhorn_global_before"`
	SinkhornGlobalAfter    float64 `json:"sinkhorn_global_after"`
	SinkhornPairwiseBefore float64 `json:"sinkhorn_pairwise_before"`
	SinkhornPairwiseAfter  float64 `json:"sinkhorn_pairwise_after"`
	// Per subgroup 0..7 (race + 4*female): the global form's term; NaN when absent.
	SinkhornSubgroupBefore [NumSubgroups]float64 `json:"sinkhorn_subgroup_before"`
	SinkhornSubgroupAfter  [NumSubgroups]float64 `json:"sinkhorn_subgroup_after"`

	Best    bool    `json:"best"`
	Seconds float64 `json:"seconds" check:"nonneg"`
}

func (e Stage1EpochEvent) EventType() string          { return TypeStage1Epoch }
func (e Stage1EpochEvent) EventTime() time.Time       { return e.Time }
func (e Stage1EpochEvent) withTime(t time.Time) Event { e.Time = t; return e }
