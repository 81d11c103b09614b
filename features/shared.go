package features

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fairclip/fairclip/atomicfile"
)

// partsDir holds the shard records of a store that several processes fill at once
// (`fairclip extract --shard K/N`): each process writes its shards and one record per
// shard, parts/clip-NNNNN.json, and never rewrites meta.json, which the first process
// created. Finish merges the records into meta.json (shards by index, bad samples in
// sample order) and removes parts/, leaving the same files a single process writes.
const partsDir = "parts"

// shardRecord is one parts/ file.
type shardRecord struct {
	KeyHash string      `json:"key_hash"`
	Shard   Shard       `json:"shard"`
	Bad     []BadSample `json:"bad_samples"`
}

// CreateShared opens dir for writing by one of several processes filling the store
// together. meta.json is created once, atomically, by whichever process comes first
// (the others find it and check its key: another key is a *MismatchError); written
// shards are recorded under parts/. Shards any process recorded count as written.
func CreateShared(dir string, spec Spec) (*Writer, error) { return create(dir, spec, true) }

// createMeta writes meta.json unless it exists; false when another process was first.
func createMeta(dir string, m *Meta) (bool, error) {
	raw, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return false, err
	}
	return atomicfile.WriteNew(filepath.Join(dir, "meta.json"), raw, 0o644)
}

func recordFile(dir string, i int) string {
	return filepath.Join(dir, partsDir, fmt.Sprintf("clip-%05d.json", i))
}

func (w *Writer) writeRecord(sh Shard, bad []BadSample) error {
	if err := os.MkdirAll(filepath.Join(w.dir, partsDir), 0o755); err != nil {
		return fmt.Errorf("feature store %s: %w", w.dir, err)
	}
	if bad == nil {
		bad = []BadSample{}
	}
	raw, err := json.MarshalIndent(shardRecord{KeyHash: w.meta.KeyHash, Shard: sh, Bad: bad}, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(recordFile(w.dir, sh.Index), raw, 0o644)
}

// loadParts adds the shards other processes recorded under parts/.
func (w *Writer) loadParts() error {
	paths, err := filepath.Glob(filepath.Join(w.dir, partsDir, "clip-*.json"))
	if err != nil {
		return err
	}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue // merged and removed by a process that finished the store
		}
		if err != nil {
			return fmt.Errorf("feature store %s: %w", w.dir, err)
		}
		var r shardRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("feature store %s: %s: %w", w.dir, p, err)
		}
		if r.KeyHash != w.meta.KeyHash {
			return fmt.Errorf("feature store %s: %s records key %s, the store is %s", w.dir, p, r.KeyHash, w.meta.KeyHash)
		}
		if i := r.Shard.Index; i < 0 || i >= w.meta.numShards() || w.done[i] {
			continue
		}
		w.record(r.Shard, r.Bad)
	}
	return nil
}

// TryFinish marks the store complete when every shard is written (by any process) and
// reports whether it is; a shard process calls it after its own shards.
func (w *Writer) TryFinish() (bool, error) {
	if err := w.loadParts(); err != nil {
		return false, err
	}
	if len(w.Pending()) > 0 {
		return false, nil
	}
	return true, w.Finish()
}

// removeParts deletes parts/ and the temporary files that killed writers left.
func (w *Writer) removeParts() error {
	if err := os.RemoveAll(filepath.Join(w.dir, partsDir)); err != nil {
		return fmt.Errorf("feature store %s: %w", w.dir, err)
	}
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return fmt.Errorf("feature store %s: %w", w.dir, err)
	}
	// Shard temporaries are stale once every shard is recorded; meta.json's only when
	// no other process may be finishing the store at the same time.
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.Contains(n, ".tmp-") {
			continue
		}
		if strings.HasPrefix(n, ".clip-") || strings.HasPrefix(n, ".tokens-") || strings.HasPrefix(n, ".stage1-") || (!w.shared && strings.HasPrefix(n, ".meta.json.tmp-")) {
			os.Remove(filepath.Join(w.dir, n))
		}
	}
	return nil
}

// sortBad orders the bad samples by sample position, whichever process found them.
func sortBad(m *Meta) {
	pos := make(map[string]int, len(m.Samples))
	for i, s := range m.Samples {
		pos[s.ID] = i
	}
	sort.SliceStable(m.Bad, func(a, b int) bool { return pos[m.Bad[a].ID] < pos[m.Bad[b].ID] })
}
