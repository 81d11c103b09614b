package sweep

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver
)

// State of a trial.
type State string

// Trial states.
const (
	StatePending  State = "pending"
	StateRunning  State = "running"
	StateComplete State = "complete"
	StatePruned   State = "pruned"
	StateFailed   State = "failed"
)

// Trial is one configuration of the search and what became of it.
type Trial struct {
	ID       int
	State    State
	Params   map[string]any
	Values   []float64 // objective values in the space's order; NaN where missing
	RunDir   string
	Error    string // failure or prune reason
	JobID    string // Slurm job (array) id, when submitted there
	Attempts int
	Updated  time.Time
}

// Store is the SQLite results store of one sweep (SWEEPDIR/sweep.db). Run folders stay
// the source of truth; the store indexes them. Safe for concurrent writers (WAL mode and
// a busy timeout), within one process or across processes.
type Store struct {
	db   *sql.DB
	path string
}

// StorePath is the database path inside a sweep directory.
func StorePath(sweepDir string) string { return filepath.Join(sweepDir, "sweep.db") }

// OpenStore opens (creating if needed) the store at path.
func OpenStore(path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(20000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sweep store %s: %w", path, err)
	}
	const schema = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trials (
  id INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  params TEXT NOT NULL,
  objective_values TEXT NOT NULL DEFAULT '[]',
  run_dir TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  job_id TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  updated TEXT NOT NULL
);`
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("init sweep store %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SetMeta records a sweep-level value (space hash, objectives, ...).
func (s *Store) SetMeta(key, value string) error {
	_, err := s.db.Exec(`INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("sweep store %s: set %s: %w", s.path, key, err)
	}
	return nil
}

// Meta returns a sweep-level value ("" when absent).
func (s *Store) Meta(key string) (string, error) {
	var v string
	err := s.db.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sweep store %s: meta %s: %w", s.path, key, err)
	}
	return v, nil
}

func encodeValues(vals []float64) string {
	out := make([]*float64, len(vals))
	for i := range vals {
		if !math.IsNaN(vals[i]) && !math.IsInf(vals[i], 0) {
			v := vals[i]
			out[i] = &v
		}
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func decodeValues(s string) ([]float64, error) {
	var in []*float64
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	out := make([]float64, len(in))
	for i, p := range in {
		out[i] = math.NaN()
		if p != nil {
			out[i] = *p
		}
	}
	return out, nil
}

// Put inserts or replaces a trial.
func (s *Store) Put(t Trial) error {
	params, err := json.Marshal(t.Params)
	if err != nil {
		return fmt.Errorf("sweep store: trial %d params: %w", t.ID, err)
	}
	if t.Updated.IsZero() {
		t.Updated = time.Now()
	}
	_, err = s.db.Exec(`INSERT INTO trials(id, state, params, objective_values, run_dir, error, job_id, attempts, updated)
VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET state=excluded.state, params=excluded.params,
  objective_values=excluded.objective_values, run_dir=excluded.run_dir, error=excluded.error,
  job_id=excluded.job_id, attempts=excluded.attempts, updated=excluded.updated`,
		t.ID, string(t.State), string(params), encodeValues(t.Values), t.RunDir, t.Error, t.JobID, t.Attempts,
		t.Updated.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("sweep store %s: put trial %d: %w", s.path, t.ID, err)
	}
	return nil
}

// Trials returns every trial ordered by id.
func (s *Store) Trials() ([]Trial, error) {
	rows, err := s.db.Query(`SELECT id, state, params, objective_values, run_dir, error, job_id, attempts, updated FROM trials ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sweep store %s: list trials: %w", s.path, err)
	}
	defer rows.Close()
	var out []Trial
	for rows.Next() {
		var t Trial
		var state, params, vals, updated string
		if err := rows.Scan(&t.ID, &state, &params, &vals, &t.RunDir, &t.Error, &t.JobID, &t.Attempts, &updated); err != nil {
			return nil, fmt.Errorf("sweep store %s: %w", s.path, err)
		}
		t.State = State(state)
		if err := json.Unmarshal([]byte(params), &t.Params); err != nil {
			return nil, fmt.Errorf("sweep store %s: trial %d params: %w", s.path, t.ID, err)
		}
		if t.Values, err = decodeValues(vals); err != nil {
			return nil, fmt.Errorf("sweep store %s: trial %d values: %w", s.path, t.ID, err)
		}
		t.Updated, _ = time.Parse(time.RFC3339Nano, updated)
		out = append(out, t)
	}
	return out, rows.Err()
}
