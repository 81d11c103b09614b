package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/fairclip/fairclip/atomicfile"
)

// TypeStage1Epoch is the type of the Stage 1 epoch record.
const TypeStage1Epoch = "stage1_epoch"

// Stage1EventsFile holds the Stage 1 epoch records (one JSON object per line) in
// the run folder, beside events.jsonl, until package runs has a stage1_epoch event.
const Stage1EventsFile = "stage1_events.jsonl"

// Stage1EpochEvent is one Stage 1 epoch: the training means over batches and the
// validation columns of the report (cosine similarity to CLIP, race/gender probe
// accuracy on the adapted vs the raw CLIP features, subgroup Sinkhorn distances
// before (raw CLIP) and after (adapted)). Undefined values are null.
type Stage1EpochEvent struct {
	Type  string    `json:"type"`
	Time  time.Time `json:"time"`
	Epoch int       `json:"epoch"`
	LR    float64   `json:"lr"`
	// LambdaGRL is the gradient-reversal strength of the epoch.
	LambdaGRL float64 `json:"lambda_grl"`

	TrainLoss            float64 `json:"train_loss"`
	TrainRaceLoss        float64 `json:"train_race_loss"`
	TrainGenderLoss      float64 `json:"train_gender_loss"`
	TrainSimilarityLoss  float64 `json:"train_similarity_loss"` // 1 - mean cosine
	TrainFairnessLoss    float64 `json:"train_fairness_loss"`   // global Sinkhorn (raw)
	TrainPairwiseLoss    float64 `json:"train_pairwise_loss"`   // pairwise Sinkhorn (raw)
	TrainRaceAcc         float64 `json:"train_race_acc"`        // adversarial heads
	TrainGenderAcc       float64 `json:"train_gender_acc"`
	FairUndefinedBatches int     `json:"fair_undefined_batches"`

	ValSamples   int      `json:"val_samples"`
	ValCosine    *float64 `json:"val_cosine"` // mean cosine(adapted, CLIP)
	ValRaceAcc   *float64 `json:"val_race_acc"`
	ValGenderAcc *float64 `json:"val_gender_acc"`
	Score        *float64 `json:"score"` // best_model_selection score

	ProbeRaceAcc       *float64 `json:"probe_race_acc"` // logistic probe on the adapted features
	ProbeGenderAcc     *float64 `json:"probe_gender_acc"`
	ProbeRaceAccCLIP   *float64 `json:"probe_race_acc_clip"` // the same probe on raw CLIP features
	ProbeGenderAccCLIP *float64 `json:"probe_gender_acc_clip"`

	SinkhornGlobalBefore   *float64    `json:"sinkhorn_global_before"`
	SinkhornGlobalAfter    *float64    `json:"sinkhorn_global_after"`
	SinkhornPairwiseBefore *float64    `json:"sinkhorn_pairwise_before"`
	SinkhornPairwiseAfter  *float64    `json:"sinkhorn_pairwise_after"`
	SinkhornSubgroupBefore [8]*float64 `json:"sinkhorn_subgroup_before"` // per subgroup 0..7, global form
	SinkhornSubgroupAfter  [8]*float64 `json:"sinkhorn_subgroup_after"`

	Best    bool    `json:"best"`
	Seconds float64 `json:"seconds"`
}

// opt is v, or nil (JSON null) when v is NaN or infinite.
func opt(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func optArray(v [8]float64) [8]*float64 {
	var out [8]*float64
	for i, x := range v {
		out[i] = opt(x)
	}
	return out
}

// stage1Log appends Stage 1 epoch records to the run folder's Stage1EventsFile,
// rewriting it atomically (it is small: one line per epoch).
type stage1Log struct {
	path  string
	lines bytes.Buffer
}

func (l *stage1Log) append(ev Stage1EpochEvent) error {
	ev.Type = TypeStage1Epoch
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("%s: %w", l.path, err)
	}
	l.lines.Write(b)
	l.lines.WriteByte('\n')
	return atomicfile.WriteFile(l.path, l.lines.Bytes(), 0o644)
}

// ReadStage1Events reads the Stage 1 epoch records of a run folder.
func ReadStage1Events(dir string) ([]Stage1EpochEvent, error) {
	src, err := os.ReadFile(filepath.Join(dir, Stage1EventsFile))
	if err != nil {
		return nil, err
	}
	var out []Stage1EpochEvent
	for i, line := range bytes.Split(bytes.TrimSpace(src), []byte("\n")) {
		var ev Stage1EpochEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", filepath.Join(dir, Stage1EventsFile), i+1, err)
		}
		out = append(out, ev)
	}
	return out, nil
}
