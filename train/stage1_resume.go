package train

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/fairclip/fairclip/model"
)

// stage1RNG describes the Stage 1 random state in checkpoints: every draw is a
// function of the seed, the epoch and the batch.
const stage1RNG = "stateless: seed %d, (epoch, batch) streams for dropout, views, batches and Sinkhorn subsamples"

// checkpointMeta is the metadata of the checkpoints written after epoch: the
// epoch's score (0 when it did not validate) and the state a resume continues from.
func (t *stage1Trainer) checkpointMeta(epoch int, score, lambdaGRL float64) Stage1CheckpointMeta {
	m := Stage1CheckpointMeta{Epoch: epoch, Step: t.step, Score: score, ConfigHash: t.hash, Seed: t.cfg.Seed, Model: t.mcfg,
		LambdaGRL: lambdaGRL, BestEpoch: t.bestEpoch, RNG: fmt.Sprintf(stage1RNG, t.cfg.Seed), RawCLIP: t.before.json()}
	if !finite(m.Score) {
		m.Score = 0
	}
	if t.bestEpoch > 0 {
		m.BestScore = t.best
	}
	return m
}

// resume reads the latest.safetensors of the run being resumed: the parameters it
// returns, the optimizer, the step, the best score and epoch, the raw CLIP columns,
// and the first epoch to run. The checkpoint must come from this configuration
// (same hash).
func (t *stage1Trainer) resume() (*model.Params, error) {
	path := filepath.Join(t.o.Resume, "latest.safetensors")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no latest.safetensors: the run stopped before its first checkpoint (logging.save_freq %d); start it again without --resume",
			max(1, t.cfg.Logging.SaveFreq))
	}
	params, opt, meta, err := loadStage1Checkpoint(path, t.mcfg, &t.cfg.Optimizer)
	if err != nil {
		return nil, err
	}
	if meta.RNG == "" || meta.RawCLIP == nil {
		return nil, fmt.Errorf("%s predates Stage 1 resume (no resume state in its metadata)", path)
	}
	if _, err := t.configYAML(); err != nil {
		return nil, err
	}
	if meta.ConfigHash != t.hash {
		return nil, fmt.Errorf("%s was written with config hash %s, this configuration's is %s: resume with the run's own config.yaml",
			path, meta.ConfigHash, t.hash)
	}
	if meta.Epoch < 1 || meta.Epoch > t.cfg.Training.NumEpochs {
		return nil, fmt.Errorf("%s: epoch %d outside 1..%d", path, meta.Epoch, t.cfg.Training.NumEpochs)
	}
	if l := t.grl.Lambda(meta.Epoch); l != meta.LambdaGRL {
		return nil, fmt.Errorf("%s: GRL lambda %g at epoch %d, the schedule gives %g", path, meta.LambdaGRL, meta.Epoch, l)
	}
	t.opt, t.step, t.start = opt, meta.Step, meta.Epoch+1
	if meta.BestEpoch > 0 {
		t.best, t.bestEpoch = meta.BestScore, meta.BestEpoch
	}
	t.before, t.hasBefore = stage1BeforeOf(meta.RawCLIP), true
	t.printf("Resuming %s after epoch %d (step %d, best epoch %d)\n", t.o.Resume, meta.Epoch, meta.Step, meta.BestEpoch)
	b := t.before
	t.printf("Raw CLIP on val (from latest.safetensors): race probe %.3f, gender probe %.3f, Sinkhorn global %.4g, pairwise %.4g\n",
		b.probeRace, b.probeGender, b.sinkhorn.global, b.sinkhorn.pairwise)
	return params, nil
}

// json is b for a checkpoint's metadata (NaN: null).
func (b stage1Before) json() *Stage1RawCLIP {
	r := &Stage1RawCLIP{ProbeRaceAcc: nullable(b.probeRace), ProbeGenderAcc: nullable(b.probeGender),
		SinkhornGlobal: nullable(b.sinkhorn.global), SinkhornPairwise: nullable(b.sinkhorn.pairwise)}
	for g, v := range b.sinkhorn.subgroup {
		r.SinkhornSubgroup[g] = nullable(v)
	}
	return r
}

func stage1BeforeOf(r *Stage1RawCLIP) stage1Before {
	b := stage1Before{probeRace: orNaN(r.ProbeRaceAcc), probeGender: orNaN(r.ProbeGenderAcc)}
	b.sinkhorn.global, b.sinkhorn.pairwise = orNaN(r.SinkhornGlobal), orNaN(r.SinkhornPairwise)
	for g, v := range r.SinkhornSubgroup {
		b.sinkhorn.subgroup[g] = orNaN(v)
	}
	return b
}

func nullable(v float64) *float64 {
	if !finite(v) {
		return nil
	}
	return &v
}

func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}
