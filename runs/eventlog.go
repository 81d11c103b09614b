package runs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// EventLog appends events to a run's events.jsonl. Each Append writes one whole line
// with a single write and fsyncs it, so a killed run leaves at most a truncated last
// line. Safe for concurrent use.
type EventLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
	now  func() time.Time
}

// OpenEventLog opens (creating if needed) path for appending. A truncated last line,
// left by a killed run, is cut off first so that new lines start on a line boundary.
func OpenEventLog(path string) (*EventLog, error) {
	if err := trimPartialLine(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open event log: %w", err)
	}
	return &EventLog{path: path, f: f, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Path is the log's file path.
func (l *EventLog) Path() string { return l.path }

// Append writes ev as one line, stamping the current time when ev's Time is zero.
func (l *EventLog) Append(ev Event) error {
	if _, ok := ev.(UnknownEvent); ok {
		return fmt.Errorf("append to %s: cannot write an UnknownEvent", l.path)
	}
	if ev.EventTime().IsZero() {
		ev = ev.withTime(l.now())
	}
	line, err := encodeEvent(ev)
	if err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("append to %s: log closed", l.path)
	}
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("append to %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("append to %s: sync: %w", l.path, err)
	}
	return nil
}

// Close closes the file. Appends after Close fail.
func (l *EventLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// trimPartialLine truncates path after its last newline (no-op for a missing file).
func trimPartialLine(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open event log: %w", err)
	}
	if len(data) == 0 || data[len(data)-1] == '\n' {
		return nil
	}
	keep := bytes.LastIndexByte(data, '\n') + 1
	if err := os.Truncate(path, int64(keep)); err != nil {
		return fmt.Errorf("open event log %s: cut truncated last line: %w", path, err)
	}
	return nil
}

// CorruptLinesError reports lines of events.jsonl that are not valid events (other
// than a truncated last line). Lines are 1-based.
type CorruptLinesError struct {
	Path  string
	Lines []int
	Errs  []error
}

func (e *CorruptLinesError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d corrupt line(s)", e.Path, len(e.Lines))
	for i, n := range e.Lines {
		if i == 5 {
			fmt.Fprintf(&sb, "; ...")
			break
		}
		fmt.Fprintf(&sb, "; line %d: %v", n, e.Errs[i])
	}
	return sb.String()
}

// Log is the parsed content of an events.jsonl.
type Log struct {
	Path   string
	Events []Event
	// TruncatedTail is true when the file ended in an incomplete line (a killed
	// run); that line is not in Events.
	TruncatedTail bool
}

// ReadEvents reads dir/events.jsonl. A truncated last line is dropped silently; corrupt
// lines elsewhere give a *CorruptLinesError naming them, together with the events of
// every good line.
func ReadEvents(dir string) ([]Event, error) {
	log, err := ReadLog(dir)
	return log.Events, err
}

// ReadLog is ReadEvents that also says whether the last line was truncated.
func ReadLog(dir string) (Log, error) {
	path := filepath.Join(dir, EventsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return Log{Path: path}, fmt.Errorf("read events: %w", err)
	}
	return ParseLog(path, data)
}

// ParseLog parses the bytes of an events.jsonl; path is used in errors.
func ParseLog(path string, data []byte) (Log, error) {
	log := Log{Path: path}
	var corrupt CorruptLinesError
	lines := bytes.Split(data, []byte{'\n'})
	for i, line := range lines {
		last := i == len(lines)-1 // no newline after it
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		ev, err := decodeEvent(line)
		if err != nil {
			if last {
				log.TruncatedTail = true
				continue
			}
			corrupt.Lines = append(corrupt.Lines, i+1)
			corrupt.Errs = append(corrupt.Errs, err)
			continue
		}
		log.Events = append(log.Events, ev)
	}
	if len(corrupt.Lines) > 0 {
		corrupt.Path = path
		return log, &corrupt
	}
	return log, nil
}
