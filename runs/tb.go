package runs

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// TBWriter writes scalar summaries to a TensorBoard event file
// (events.out.tfevents.{unix seconds}.{host}) in a directory. Each Scalar is written
// through to the OS, so a killed run keeps what it logged. Safe for concurrent use.
type TBWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time
}

// NewTBWriter creates dir if needed and a new event file in it.
func NewTBWriter(dir string) (*TBWriter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("tensorboard writer: %w", err)
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	now := time.Now()
	path := filepath.Join(dir, fmt.Sprintf("events.out.tfevents.%d.%s", now.Unix(), host))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("tensorboard writer: %w", err)
	}
	w := &TBWriter{f: f, path: path, now: time.Now}
	if err := writeRecord(f, encodeFileVersion(wallTime(now))); err != nil {
		f.Close()
		return nil, fmt.Errorf("tensorboard writer %s: %w", path, err)
	}
	return w, nil
}

func wallTime(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// Path is the event file's path.
func (w *TBWriter) Path() string { return w.path }

// Scalar logs v under tag at step (TensorBoard stores float32).
func (w *TBWriter) Scalar(tag string, step int, v float64) error {
	rec := encodeScalar(wallTime(w.now()), int64(step), tag, float32(v))
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return fmt.Errorf("tensorboard writer %s: closed", w.path)
	}
	if err := writeRecord(w.f, rec); err != nil {
		return fmt.Errorf("tensorboard writer %s: %w", w.path, err)
	}
	return nil
}

// Close syncs and closes the file.
func (w *TBWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.f = nil
	return err
}
