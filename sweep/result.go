package sweep

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// runEvent holds the documented events.jsonl fields (docs/events.md) the sweep reads.
type runEvent struct {
	Type       string              `json:"type"`
	Epoch      int                 `json:"epoch"`
	TrainLoss  *float64            `json:"train_loss"`
	Val        map[string]*float64 `json:"val"`
	Degenerate bool                `json:"degenerate"`
	Dataset    string              `json:"dataset"`
	Metrics    map[string]*float64 `json:"metrics"`
	Status     string              `json:"status"`
	Error      string              `json:"error"`
}

// RunProgress is what a (possibly running) trial's run folder says so far.
type RunProgress struct {
	Epochs    []EpochPoint
	BestEpoch int                                   // from the last "best" event; 0 if none
	Tests     map[int]map[string]map[string]float64 // epoch -> dataset -> metric
	Status    string                                // run_end status, "" while running
	Error     string
}

// EpochPoint is one epoch's validation summary.
type EpochPoint struct {
	Epoch      int
	TrainLoss  float64
	Val        map[string]float64
	Degenerate bool
}

func deref(m map[string]*float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		if v == nil {
			out[k] = math.NaN()
		} else {
			out[k] = *v
		}
	}
	return out
}

// ReadProgress reads runDir/events.jsonl. A missing file is an empty progress; a
// truncated last line (a run being written or killed) is ignored.
func ReadProgress(runDir string) (RunProgress, error) {
	p := RunProgress{Tests: map[int]map[string]map[string]float64{}}
	f, err := os.Open(filepath.Join(runDir, "events.jsonl"))
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("read trial progress: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var ev runEvent
		if err := json.Unmarshal([]byte(text), &ev); err != nil {
			continue // a partial line from a killed writer
		}
		switch ev.Type {
		case "epoch":
			pt := EpochPoint{Epoch: ev.Epoch, TrainLoss: math.NaN(), Val: deref(ev.Val), Degenerate: ev.Degenerate}
			if ev.TrainLoss != nil {
				pt.TrainLoss = *ev.TrainLoss
			}
			p.Epochs = append(p.Epochs, pt)
		case "best":
			p.BestEpoch = ev.Epoch
		case "test":
			if p.Tests[ev.Epoch] == nil {
				p.Tests[ev.Epoch] = map[string]map[string]float64{}
			}
			p.Tests[ev.Epoch][ev.Dataset] = deref(ev.Metrics)
		case "run_end":
			p.Status, p.Error = ev.Status, ev.Error
		}
	}
	if err := sc.Err(); err != nil {
		return p, fmt.Errorf("read %s/events.jsonl line %d: %w", runDir, line, err)
	}
	return p, nil
}

// Objective computes a named objective from a finished run's progress (NaN when the run
// does not have it). Validation metrics are those of the best epoch; test metrics those
// evaluated at the best epoch.
func (p RunProgress) Objective(name string) float64 {
	best := p.BestEpoch
	var bestPoint *EpochPoint
	for i := range p.Epochs {
		if p.Epochs[i].Epoch == best {
			bestPoint = &p.Epochs[i]
		}
	}
	switch {
	case name == "best_epoch":
		if best == 0 {
			return math.NaN()
		}
		return float64(best)
	case name == "final_train_loss":
		if len(p.Epochs) == 0 {
			return math.NaN()
		}
		return p.Epochs[len(p.Epochs)-1].TrainLoss
	case strings.HasPrefix(name, "val_"):
		if bestPoint == nil {
			return math.NaN()
		}
		if v, ok := bestPoint.Val[strings.TrimPrefix(name, "val_")]; ok {
			return v
		}
		return math.NaN()
	case name == "mean_test_auc":
		tests := p.Tests[best]
		if len(tests) == 0 {
			return math.NaN()
		}
		var sum float64
		for _, m := range tests {
			sum += m["auc"]
		}
		return sum / float64(len(tests))
	case strings.HasPrefix(name, "test_"):
		rest := strings.TrimPrefix(name, "test_")
		for ds, m := range p.Tests[best] {
			if strings.HasPrefix(rest, ds+"_") {
				if v, ok := m[strings.TrimPrefix(rest, ds+"_")]; ok {
					return v
				}
			}
		}
	}
	return math.NaN()
}

// Values computes every objective of the space.
func (p RunProgress) Values(objs []Objective) []float64 {
	out := make([]float64, len(objs))
	for i, o := range objs {
		out[i] = p.Objective(o.Name)
	}
	return out
}
