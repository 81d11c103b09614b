package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
	"github.com/fairclip/fairclip/runs"
	"github.com/fairclip/fairclip/safetensors"
)

// RunCheckpoint resolves which checkpoint of a run folder to use: "best" or ""
// (best.safetensors, else latest.safetensors, as `fairclip eval --run` does),
// "latest", or a file path (returned as is when it exists).
func RunCheckpoint(runDir, which string) (string, error) {
	switch which {
	case "", "best":
		p := filepath.Join(runDir, "best.safetensors")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		p = filepath.Join(runDir, "latest.safetensors")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("run %s has neither best.safetensors nor latest.safetensors", runDir)
		}
		return p, nil
	case "latest":
		p := filepath.Join(runDir, "latest.safetensors")
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("run %s: %w", runDir, err)
		}
		return p, nil
	}
	if _, err := os.Stat(which); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	return which, nil
}

// Scorer is a Stage 2 checkpoint loaded for inference: the frozen Stage 1 adapter
// and the head in eval mode, the same graphs and chunking `fairclip eval` runs, so
// that an embedding gets the same probability here as in a score CSV. It is safe
// for concurrent use (model calls are serialized).
type Scorer struct {
	mu   sync.Mutex
	eng  *engine
	meta CheckpointMeta
	path string
}

// LoadScorer loads checkpoint path of a run configured by cfg on the backend
// (""; the configuration's).
func LoadScorer(path string, cfg config.Config, backendSpec string) (*Scorer, error) {
	w, err := weightingOf(cfg.LossWeighting)
	if err != nil {
		return nil, err
	}
	c, err := loadCheckpoint(path, w.Dynamic, [2]float64{0.9, 0.999}, 1e-8, 0, false)
	if err != nil {
		return nil, err
	}
	cls, err := NewClsLoss(cfg.Loss)
	if err != nil {
		return nil, err
	}
	be, err := backend.New(chooseBackend(backendSpec, cfg))
	if err != nil {
		return nil, err
	}
	if m := c.meta.Model; m.Keys == model.KeysTokens && m.Tokens > 0 {
		// Score takes CLIP embeddings only; such a head also needs pooled patch tokens.
		return nil, fmt.Errorf("checkpoint %s: model.fusion_keys tokens with %d patch tokens: scoring from embeddings alone is not supported", path, m.Tokens)
	}
	eng, err := newEngine(be, c.meta.Model, cls, w, c.stage1, c.params)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return &Scorer{eng: eng, meta: c.meta, path: path}, nil
}

// Meta is the checkpoint's metadata (epoch, model configuration, validation metrics).
func (s *Scorer) Meta() CheckpointMeta { return s.meta }

// Path is the checkpoint file.
func (s *Scorer) Path() string { return s.path }

// Dim is the CLIP embedding size the head expects.
func (s *Scorer) Dim() int { return s.meta.Model.Dim }

// Score returns the probability of fake of n CLIP embeddings (n*Dim values).
func (s *Scorer) Score(clip []float32, n int) ([]float64, error) {
	d := s.Dim()
	if len(clip) != n*d {
		return nil, fmt.Errorf("score: %d values for %d embeddings of %d", len(clip), n, d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng == nil {
		return nil, errors.New("score: scorer closed")
	}
	out := make([]float64, 0, n)
	s1 := make([]float32, evalChunk*d)
	buf := make([]float32, evalChunk*d)
	for lo := 0; lo < n; lo += evalChunk {
		m := min(evalChunk, n-lo)
		clear(buf)
		copy(buf, clip[lo*d:(lo+m)*d])
		if err := s.eng.stage1Rows(buf, m, s1); err != nil {
			return nil, err
		}
		r, err := s.eng.evalRows(buf, s1, m)
		if err != nil {
			return nil, err
		}
		for _, p := range r.prob {
			out = append(out, float64(p))
		}
	}
	return out, nil
}

// ValScoresPath is the validation score CSV a run wrote for epoch (its
// validation dataset's scores/val_<dataset>_ep<epoch>.csv).
func ValScoresPath(runDir string, cfg config.Config, epoch int) (string, error) {
	if len(cfg.Dataset.ValidationDataset) == 0 {
		return "", errors.New("the run configuration has no dataset.validation_dataset")
	}
	return runs.ScoresPath(runDir, "val", cfg.Dataset.ValidationDataset[0], epoch), nil
}

// Close releases the scorer; later calls to Score fail.
func (s *Scorer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eng = nil
}

// CheckpointEpoch reads the epoch of a fairclip Stage 2 checkpoint without loading
// its weights' graphs.
func CheckpointEpoch(path string) (int, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	if f.Metadata[formatKey] != formatValue {
		return 0, fmt.Errorf("checkpoint %s: not a fairclip Stage 2 checkpoint (format %q)", path, f.Metadata[formatKey])
	}
	var meta CheckpointMeta
	if err := json.Unmarshal([]byte(f.Metadata[metaKey]), &meta); err != nil {
		return 0, fmt.Errorf("checkpoint %s: metadata: %w", path, err)
	}
	return meta.Epoch, nil
}
