package sweep

import (
	"errors"
	"fmt"
	"strings"

	"github.com/fairclip/fairclip/config"
)

// ErrAllInvalid is returned by Run when every trial's resolved configuration is invalid:
// nothing was started.
var ErrAllInvalid = errors.New("every trial's configuration is invalid")

// ErrNoCompleted says that a sweep has no completed trial (nothing to rank or plot).
var ErrNoCompleted = errors.New("no completed trial")

// invalidPrefix starts the Error of a trial whose configuration could not run.
const invalidPrefix = "invalid config: "

// validateTrial resolves a trial's configuration as `fairclip train --config BASE --set ...`
// will, and returns why it cannot run (nil when it can).
func validateTrial(s *Space, t *Trial) error {
	sets := append(append([]string{}, s.Set...), SetArgs(t.Params)...)
	if _, _, err := config.Load(s.Base, sets); err != nil {
		return fmt.Errorf("trial %d (%s): %w", t.ID, strings.Join(SetArgs(t.Params), " "), err)
	}
	return nil
}

// invalidConfig reports whether a trial failed on its configuration before it started.
func invalidConfig(t Trial) bool {
	return t.State == StateFailed && strings.HasPrefix(t.Error, invalidPrefix)
}

// CheckCompleted returns nil when the sweep has a completed trial, else an error matching
// [ErrNoCompleted] with the trials' states and the first failure.
func (s *Status) CheckCompleted() error {
	return checkCompleted(s.Dir, s.Trials)
}

func checkCompleted(dir string, ts []Trial) error {
	var states []string
	firstErr := ""
	counts := map[State]int{}
	for _, t := range ts {
		if t.State == StateComplete {
			return nil
		}
		counts[t.State]++
		if firstErr == "" && t.State == StateFailed && t.Error != "" {
			firstErr = fmt.Sprintf("; trial %d: %s", t.ID, t.Error)
		}
	}
	for _, st := range []State{StateRunning, StatePending, StatePruned, StateFailed} {
		if counts[st] > 0 {
			states = append(states, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	if len(states) == 0 {
		states = []string{"no trials"}
	}
	return fmt.Errorf("sweep %s: %w (%s)%s", dir, ErrNoCompleted, strings.Join(states, ", "), firstErr)
}
