package runs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/fairclip/fairclip/atomicfile"
)

// Info is run.json: what produced the run.
type Info struct {
	Experiment      string    `json:"experiment"`
	FairclipVersion string    `json:"fairclip_version"`
	GoVersion       string    `json:"go_version"`
	Backend         string    `json:"backend"`
	Device          string    `json:"device,omitempty"`
	Seed            int64     `json:"seed"`
	GitDescribe     string    `json:"git_describe,omitempty"`
	Host            string    `json:"host"`
	StartTime       time.Time `json:"start_time"`
	ConfigHash      string    `json:"config_hash"`
	CommandLine     []string  `json:"command_line"`
}

// NewInfo fills the parts of Info the process knows: Go version, host, start time,
// command line and `git describe` of the working directory (empty when unavailable).
func NewInfo(experiment, fairclipVersion, backend string, seed int64, configHash string) Info {
	host, _ := os.Hostname()
	return Info{
		Experiment: experiment, FairclipVersion: fairclipVersion, GoVersion: runtime.Version(),
		Backend: backend, Seed: seed, GitDescribe: gitDescribe(), Host: host,
		StartTime: time.Now().UTC(), ConfigHash: configHash,
		CommandLine: append([]string(nil), os.Args...),
	}
}

func gitDescribe() string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty", "--tags").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// HashConfig is the config hash recorded in run.json and run_start: the first 16 hex
// digits of the SHA-256 of the resolved config.yaml.
func HashConfig(resolvedYAML []byte) string {
	sum := sha256.Sum256(resolvedYAML)
	return hex.EncodeToString(sum[:8])
}

// Run is an open run folder.
type Run struct {
	dir    string
	events *EventLog
	tbOnce sync.Once
	tb     *TBWriter
	tbErr  error
}

// ErrRunExists is returned by Create for a folder that already holds events.
var ErrRunExists = errors.New("run folder already has events (use Open to resume)")

// Create makes a new run folder (dir may exist but must not hold events yet) with its
// scores/ and tb/ subfolders, and opens its event log.
func Create(dir string) (*Run, error) {
	if st, err := os.Stat(filepath.Join(dir, EventsFile)); err == nil && st.Size() > 0 {
		return nil, fmt.Errorf("create run %s: %w", dir, ErrRunExists)
	}
	return open(dir)
}

// Open opens an existing run folder to continue it (resume); its events.jsonl must exist.
func Open(dir string) (*Run, error) {
	if _, err := os.Stat(filepath.Join(dir, EventsFile)); err != nil {
		return nil, fmt.Errorf("open run %s: %w", dir, err)
	}
	return open(dir)
}

func open(dir string) (*Run, error) {
	for _, sub := range []string{"", ScoresDir, TBDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("run folder %s: %w", dir, err)
		}
	}
	log, err := OpenEventLog(filepath.Join(dir, EventsFile))
	if err != nil {
		return nil, err
	}
	return &Run{dir: dir, events: log}, nil
}

// Dir is the run folder.
func (r *Run) Dir() string { return r.dir }

// Events is the run's event log.
func (r *Run) Events() *EventLog { return r.events }

// TB returns the run's TensorBoard writer (tb/), created on first use.
func (r *Run) TB() (*TBWriter, error) {
	r.tbOnce.Do(func() { r.tb, r.tbErr = NewTBWriter(filepath.Join(r.dir, TBDir)) })
	return r.tb, r.tbErr
}

// WriteConfig writes the resolved configuration to config.yaml (atomically).
func (r *Run) WriteConfig(yaml []byte) error {
	return atomicfile.WriteFile(filepath.Join(r.dir, ConfigFile), yaml, 0o644)
}

// WriteRunInfo writes run.json (atomically).
func (r *Run) WriteRunInfo(info Info) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return fmt.Errorf("run.json: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(r.dir, InfoFile), append(b, '\n'), 0o644)
}

// ScoresPath is ScoresPath(r.Dir(), ...).
func (r *Run) ScoresPath(split, dataset string, epoch int) string {
	return ScoresPath(r.dir, split, dataset, epoch)
}

// Close closes the event log and the TensorBoard writer.
func (r *Run) Close() error {
	err := r.events.Close()
	if r.tb != nil {
		if cerr := r.tb.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// ReadInfo reads dir/run.json.
func ReadInfo(dir string) (Info, error) {
	var info Info
	path := filepath.Join(dir, InfoFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return info, fmt.Errorf("read run info: %w", err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("read %s: %w", path, err)
	}
	return info, nil
}
