package detect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/metrics"
	"github.com/fairclip/fairclip/train"
)

// threshold is a resolved decision threshold and how it was chosen.
type threshold struct {
	value      float64
	rule, from string
}

// chooseThreshold resolves Options.Threshold: a fixed value, or a metrics threshold
// rule applied to the run's validation scores of the checkpoint's epoch.
func chooseThreshold(spec, runDir string, cfg config.Config, ckpt string) (threshold, error) {
	s := strings.ToLower(strings.TrimSpace(spec))
	if s == "" {
		return threshold{value: DefaultThreshold, rule: "fixed"}, nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if !(v >= 0 && v <= 1) {
			return threshold{}, fmt.Errorf("--threshold %s: want a value in [0, 1] or eer, youden, best-acc, fpr=X", spec)
		}
		return threshold{value: v, rule: "fixed"}, nil
	}
	if s == "best-acc" {
		s = "max-acc"
	}
	epoch, err := train.CheckpointEpoch(ckpt)
	if err != nil {
		return threshold{}, err
	}
	path, err := train.ValScoresPath(runDir, cfg, epoch)
	if err != nil {
		return threshold{}, fmt.Errorf("--threshold %s: %w", spec, err)
	}
	in, err := metrics.ReadScoresCSV(path)
	if err != nil {
		return threshold{}, fmt.Errorf("--threshold %s needs the run's validation scores of epoch %d: %w", spec, epoch, err)
	}
	v, err := metrics.ChooseThreshold(in, s)
	if err != nil {
		return threshold{}, fmt.Errorf("--threshold %s on %s: %w", spec, path, err)
	}
	return threshold{value: v, rule: s, from: path}, nil
}
