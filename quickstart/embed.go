package quickstart

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fairclip/fairclip/atomicfile"
)

// Embedded copies of the repository's configs/ (a go:embed pattern cannot reach
// another package's directory); TestEmbeddedConfigsMatchRepository keeps them equal
// and `go generate ./quickstart` copies them again.
//
//go:generate cp ../configs/exp1_baseline.yaml ../configs/exp2_fairness_boost.yaml ../configs/exp3_balanced_recovery.yaml ../configs/stage1.yaml configs/
//go:embed configs/*.yaml
var embedded embed.FS

// Experiment is one Stage 2 configuration the quickstart trains.
type Experiment struct {
	Name string // logging.experiment_name and the run folder's name
	File string // file under configs/
}

// Experiments are the report's three runs, in the report's order.
var Experiments = []Experiment{
	{"exp1_baseline", "exp1_baseline.yaml"},
	{"exp2_fairness_boost", "exp2_fairness_boost.yaml"},
	{"exp3_balanced_recovery", "exp3_balanced_recovery.yaml"},
}

// stage1File is the Stage 1 configuration.
const stage1File = "stage1.yaml"

// writeEmbeddedConfigs copies the embedded configurations into dir (exp2 and exp3
// name exp1 as their base, relative to their own folder).
func writeEmbeddedConfigs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("quickstart configs: %w", err)
	}
	entries, err := embedded.ReadDir("configs")
	if err != nil {
		return fmt.Errorf("quickstart configs: %w", err)
	}
	for _, e := range entries {
		b, err := embedded.ReadFile("configs/" + e.Name())
		if err != nil {
			return fmt.Errorf("quickstart configs: %w", err)
		}
		if err := atomicfile.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
