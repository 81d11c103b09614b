package runs

import "time"

// Event is one line of events.jsonl. Every event type is a struct in this file whose
// EventType names its "type"; the "time" field is Time. Float fields that are
// undefined (NaN, ±Inf) are written as null and read back as NaN.
//
// Units: every rate and metric is a fraction in [0, 1] (F_FPR sums per-subgroup gaps
// and can exceed 1); times are seconds; epochs count from 1. Percent appears only in
// printed reports.
type Event interface {
	EventType() string
	EventTime() time.Time
	withTime(t time.Time) Event
}

// Event type names.
const (
	TypeRunStart        = "run_start"
	TypeEpoch           = "epoch"
	TypeTest            = "test"
	TypeBest            = "best"
	TypeCheckpoint      = "checkpoint"
	TypeWarning         = "warning"
	TypeDegeneratePhase = "degenerate_phase"
	TypeFairUndefined   = "fair_undefined"
	TypeBadSample       = "bad_sample"
	TypeRunEnd          = "run_end"
)

// Warning kinds the trainer emits; readers must accept others.
const (
	WarnGateSaturation      = "gate_saturation"
	WarnLowFairContribution = "low_fair_contribution"
	WarnDegeneratePhase     = "degenerate_phase"
	WarnAttentionHeadsInert = "attention_heads_inert"
)

// Run end statuses.
const (
	StatusCompleted        = "completed"
	StatusFailed           = "failed"
	StatusStoppedNonfinite = "stopped_nonfinite"
)

// Params counts model parameters (scalars).
type Params struct {
	Total     int64 `json:"total" check:"nonneg"`
	Trainable int64 `json:"trainable" check:"nonneg"`
	Frozen    int64 `json:"frozen" check:"nonneg"`
}

// Plan is what the trainer intends to run.
type Plan struct {
	Epochs          int `json:"epochs" check:"nonneg"`
	BatchesPerEpoch int `json:"batches_per_epoch" check:"nonneg"`
	TrainSamples    int `json:"train_samples" check:"nonneg"`
	ValSamples      int `json:"val_samples" check:"nonneg"`
}

// Metrics are one evaluation's detection and fairness numbers, all fractions, in the
// run's fairness convention (config evaluation.fairness_convention).
type Metrics struct {
	AUC         float64 `json:"auc" check:"fraction"`
	ACC         float64 `json:"acc" check:"fraction"`
	EER         float64 `json:"eer" check:"fraction"`
	AP          float64 `json:"ap" check:"fraction"`
	FFPR        float64 `json:"f_fpr" check:"nonneg"`
	FFPROverall float64 `json:"f_fpr_overall" check:"nonneg"`
	FOAE        float64 `json:"f_oae" check:"fraction"`
	FDP         float64 `json:"f_dp" check:"fraction"`
	FMEO        float64 `json:"f_meo" check:"fraction"`
	// MajorityShare is the share of the majority class among the labels.
	MajorityShare float64 `json:"majority_share" check:"fraction"`
	// PredictedPositiveShare is the share of samples predicted fake (score >= threshold).
	PredictedPositiveShare float64 `json:"predicted_positive_share" check:"fraction"`
}

// Gate summarizes the fusion gate g (the weight of the Stage 1 feature) over the
// validation samples of one epoch.
type Gate struct {
	Mean float64 `json:"mean" check:"fraction"`
	Min  float64 `json:"min" check:"fraction"`
	Max  float64 `json:"max" check:"fraction"`
	P5   float64 `json:"p5" check:"fraction"`
	P95  float64 `json:"p95" check:"fraction"`
}

// RunStartEvent opens a run.
type RunStartEvent struct {
	Time            time.Time `json:"time"`
	Experiment      string    `json:"experiment"`
	ConfigHash      string    `json:"config_hash"`
	Seed            int64     `json:"seed"`
	Backend         string    `json:"backend"`
	FairclipVersion string    `json:"fairclip_version"`
	Params          Params    `json:"params"`
	Plan            Plan      `json:"plan"`
}

// EpochEvent is one finished epoch: training averages and validation.
type EpochEvent struct {
	Time  time.Time `json:"time"`
	Epoch int       `json:"epoch" check:"positive"`
	LR    float64   `json:"lr" check:"nonneg"`
	// Mean over the epoch's batches of the total, classification and raw fairness losses.
	TrainLoss     float64 `json:"train_loss"`
	TrainClsLoss  float64 `json:"train_cls_loss"`
	TrainFairLoss float64 `json:"train_fair_loss"`
	LambdaFair    float64 `json:"lambda_fair" check:"nonneg"`
	// EffectiveFairContribution is the mean over batches of lambda*L_fair/L_total.
	EffectiveFairContribution float64 `json:"effective_fair_contribution"`
	FairUndefinedBatches      int     `json:"fair_undefined_batches" check:"nonneg"`
	ValLoss                   float64 `json:"val_loss"`
	Val                       Metrics `json:"val"`
	Gate                      Gate    `json:"gate"`
	// CrossAttentionShare is the mean of 1-g: the cross-attention branch's weight.
	CrossAttentionShare float64 `json:"cross_attention_share" check:"fraction"`
	// AttentionEntropy is, per attention head, the mean over validation samples of the
	// entropy (nats) of the head's attention weights over its keys (ln(K+1) uniform, 0
	// on one key). Only under model.fusion_keys: tokens; absent with one key.
	AttentionEntropy []float64 `json:"attention_entropy,omitempty" check:"nonneg"`
	// Degenerate is true when every validation prediction is one class.
	Degenerate bool `json:"degenerate"`
	// Seconds is the epoch's wall time: training, then validation (ValSeconds of it).
	Seconds    float64 `json:"seconds" check:"nonneg"`
	ValSeconds float64 `json:"val_seconds,omitempty" check:"nonneg"`
}

// TestEvent is one test-set evaluation of the model after an epoch.
type TestEvent struct {
	Time    time.Time `json:"time"`
	Epoch   int       `json:"epoch" check:"positive"`
	Dataset string    `json:"dataset" check:"nonempty"`
	Metrics Metrics   `json:"metrics"`
	// ScoresFile is relative to the run folder (scores/test_{dataset}_ep{E}.csv).
	ScoresFile string `json:"scores_file"`
}

// BestEvent marks a new best model. Value is a fraction, except for the Stage 1
// metric BestMetricStage1 (ValidateEvent checks this).
type BestEvent struct {
	Time       time.Time `json:"time"`
	Epoch      int       `json:"epoch" check:"positive"`
	Metric     string    `json:"metric" check:"nonempty"`
	Value      float64   `json:"value"`
	Checkpoint string    `json:"checkpoint"`
}

// CheckpointEvent records a written checkpoint (kind "latest", "best" or "best_epoch").
type CheckpointEvent struct {
	Time  time.Time `json:"time"`
	Epoch int       `json:"epoch" check:"nonneg"`
	Path  string    `json:"path" check:"nonempty"`
	Kind  string    `json:"kind" check:"nonempty"`
}

// WarningEvent is a diagnostic the report turns into a finding. Epoch 0 means the
// whole run.
type WarningEvent struct {
	Time    time.Time `json:"time"`
	Epoch   int       `json:"epoch" check:"nonneg"`
	Kind    string    `json:"kind" check:"nonempty"`
	Message string    `json:"message"`
}

// DegeneratePhaseEvent is a closed range of epochs in which every validation
// prediction was one class.
type DegeneratePhaseEvent struct {
	Time  time.Time `json:"time"`
	Start int       `json:"start" check:"positive"`
	End   int       `json:"end" check:"positive"`
}

// FairUndefinedEvent is a training batch whose fairness term was undefined (set to 0).
type FairUndefinedEvent struct {
	Time   time.Time `json:"time"`
	Epoch  int       `json:"epoch" check:"positive"`
	Batch  int       `json:"batch" check:"nonneg"`
	Reason string    `json:"reason"`
}

// BadSampleEvent is an unreadable or invalid input sample (row is 1-based, header = 1).
type BadSampleEvent struct {
	Time  time.Time `json:"time"`
	Path  string    `json:"path"`
	CSV   string    `json:"csv"`
	Row   int       `json:"row" check:"nonneg"`
	Error string    `json:"error"`
}

// RunEndEvent closes a run. BestEpoch is 0 when no epoch finished.
type RunEndEvent struct {
	Time            time.Time `json:"time"`
	Status          string    `json:"status" check:"enum=completed|failed|stopped_nonfinite"`
	EpochsCompleted int       `json:"epochs_completed" check:"nonneg"`
	Seconds         float64   `json:"seconds" check:"nonneg"`
	BestEpoch       int       `json:"best_epoch" check:"nonneg"`
	Error           string    `json:"error"`
}

// UnknownEvent is a line of a type this version does not know; ReadEvents keeps it.
type UnknownEvent struct {
	Type string
	Time time.Time
	Raw  []byte
}

func (e RunStartEvent) EventType() string        { return TypeRunStart }
func (e EpochEvent) EventType() string           { return TypeEpoch }
func (e TestEvent) EventType() string            { return TypeTest }
func (e BestEvent) EventType() string            { return TypeBest }
func (e CheckpointEvent) EventType() string      { return TypeCheckpoint }
func (e WarningEvent) EventType() string         { return TypeWarning }
func (e DegeneratePhaseEvent) EventType() string { return TypeDegeneratePhase }
func (e FairUndefinedEvent) EventType() string   { return TypeFairUndefined }
func (e BadSampleEvent) EventType() string       { return TypeBadSample }
func (e RunEndEvent) EventType() string          { return TypeRunEnd }
func (e UnknownEvent) EventType() string         { return e.Type }

func (e RunStartEvent) EventTime() time.Time        { return e.Time }
func (e EpochEvent) EventTime() time.Time           { return e.Time }
func (e TestEvent) EventTime() time.Time            { return e.Time }
func (e BestEvent) EventTime() time.Time            { return e.Time }
func (e CheckpointEvent) EventTime() time.Time      { return e.Time }
func (e WarningEvent) EventTime() time.Time         { return e.Time }
func (e DegeneratePhaseEvent) EventTime() time.Time { return e.Time }
func (e FairUndefinedEvent) EventTime() time.Time   { return e.Time }
func (e BadSampleEvent) EventTime() time.Time       { return e.Time }
func (e RunEndEvent) EventTime() time.Time          { return e.Time }
func (e UnknownEvent) EventTime() time.Time         { return e.Time }

func (e RunStartEvent) withTime(t time.Time) Event        { e.Time = t; return e }
func (e EpochEvent) withTime(t time.Time) Event           { e.Time = t; return e }
func (e TestEvent) withTime(t time.Time) Event            { e.Time = t; return e }
func (e BestEvent) withTime(t time.Time) Event            { e.Time = t; return e }
func (e CheckpointEvent) withTime(t time.Time) Event      { e.Time = t; return e }
func (e WarningEvent) withTime(t time.Time) Event         { e.Time = t; return e }
func (e DegeneratePhaseEvent) withTime(t time.Time) Event { e.Time = t; return e }
func (e FairUndefinedEvent) withTime(t time.Time) Event   { e.Time = t; return e }
func (e BadSampleEvent) withTime(t time.Time) Event       { e.Time = t; return e }
func (e RunEndEvent) withTime(t time.Time) Event          { e.Time = t; return e }
func (e UnknownEvent) withTime(t time.Time) Event         { e.Time = t; return e }

// eventTypes maps each known "type" to a zero value of its struct. Read-only.
func eventPrototype(typ string) (Event, bool) {
	switch typ {
	case TypeRunStart:
		return RunStartEvent{}, true
	case TypeEpoch:
		return EpochEvent{}, true
	case TypeTest:
		return TestEvent{}, true
	case TypeBest:
		return BestEvent{}, true
	case TypeCheckpoint:
		return CheckpointEvent{}, true
	case TypeWarning:
		return WarningEvent{}, true
	case TypeDegeneratePhase:
		return DegeneratePhaseEvent{}, true
	case TypeFairUndefined:
		return FairUndefinedEvent{}, true
	case TypeBadSample:
		return BadSampleEvent{}, true
	case TypeRunEnd:
		return RunEndEvent{}, true
	case TypeStage1Epoch:
		return Stage1EpochEvent{}, true
	}
	return nil, false
}

// EventTypes lists every known event type, in documentation order.
func EventTypes() []string {
	return []string{TypeRunStart, TypeEpoch, TypeTest, TypeBest, TypeCheckpoint, TypeWarning,
		TypeDegeneratePhase, TypeFairUndefined, TypeBadSample, TypeRunEnd, TypeStage1Epoch}
}
