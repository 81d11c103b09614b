package train

import (
	"fmt"
	"math"
	"sort"

	"github.com/fairclip/fairclip/runs"
)

// newStage1Epoch is the stage1_epoch event of an epoch before training: every
// validation, probe and Sinkhorn column undefined (NaN, written as null) until the
// epoch measures it.
func newStage1Epoch(epoch int, lr, lambdaGRL float64) runs.Stage1EpochEvent {
	nan := math.NaN()
	ev := runs.Stage1EpochEvent{Epoch: epoch, LR: lr, LambdaGRL: lambdaGRL,
		ValCosine: nan, ValRaceAcc: nan, ValGenderAcc: nan, Score: nan,
		ProbeRaceAcc: nan, ProbeGenderAcc: nan, ProbeRaceAccCLIP: nan, ProbeGenderAccCLIP: nan,
		SinkhornGlobalBefore: nan, SinkhornGlobalAfter: nan, SinkhornPairwiseBefore: nan, SinkhornPairwiseAfter: nan}
	for g := range ev.SinkhornSubgroupBefore {
		ev.SinkhornSubgroupBefore[g], ev.SinkhornSubgroupAfter[g] = nan, nan
	}
	return ev
}

// ReadStage1Events returns the stage1_epoch events of a run folder's events.jsonl,
// sorted by epoch (the last line of an epoch wins). A truncated last line is
// ignored; corrupt lines are an error naming them.
func ReadStage1Events(dir string) ([]runs.Stage1EpochEvent, error) {
	evs, err := runs.ReadEvents(dir)
	if err != nil {
		return nil, fmt.Errorf("stage 1 events: %w", err)
	}
	byEpoch := map[int]runs.Stage1EpochEvent{}
	for _, ev := range evs {
		if e, ok := ev.(runs.Stage1EpochEvent); ok {
			byEpoch[e.Epoch] = e
		}
	}
	out := make([]runs.Stage1EpochEvent, 0, len(byEpoch))
	for _, e := range byEpoch {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Epoch < out[j].Epoch })
	return out, nil
}
