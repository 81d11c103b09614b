package runs

import (
	"fmt"
	"path/filepath"
	"time"
)

// File and folder names inside a run folder.
const (
	ConfigFile = "config.yaml"
	InfoFile   = "run.json"
	EventsFile = "events.jsonl"
	TBDir      = "tb"
	ScoresDir  = "scores"
	ReportFile = "report.md"
)

// DefaultDir returns logDir/{experiment}_{YYYY-MM-DD-HH-MM-SS}, the original's run
// folder name, with t in its own location.
func DefaultDir(logDir, experiment string, t time.Time) string {
	return filepath.Join(logDir, experiment+"_"+t.Format("2006-01-02-15-04-05"))
}

// ScoresPath returns dir/scores/{split}_{dataset}_ep{E}.csv, the per-sample score file
// of one evaluation (header score,label,group,video,path).
func ScoresPath(dir, split, dataset string, epoch int) string {
	return filepath.Join(dir, ScoresDir, fmt.Sprintf("%s_%s_ep%d.csv", split, dataset, epoch))
}

// CheckpointPath returns the path of a checkpoint file in the run folder.
// Checkpoints live in the folder itself, as in the original.
func CheckpointPath(dir, name string) string {
	return filepath.Join(dir, name)
}

// BestCheckpointName is the original's name for a best-model checkpoint,
// e.g. best_ep24_auc0.8270_acc0.8160.safetensors.
func BestCheckpointName(epoch int, auc, acc float64) string {
	return fmt.Sprintf("best_ep%d_auc%.4f_acc%.4f.safetensors", epoch, auc, acc)
}
