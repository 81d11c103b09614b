package features

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/fairclip/fairclip/atomicfile"
)

// Stage 1 outputs live next to the CLIP shards as an add-on per Stage 1 adapter:
// <store>/stage1-<16 hex of sha256(identity)>/ with its own meta.json and
// stage1-NNNNN.bin shards matching the CLIP shards (same samples, sample-major then
// view, same dtype). The CLIP store stays reusable across Stage 1 adapters.

// Stage1DirPrefix starts the name of a Stage 1 add-on directory inside a store.
const Stage1DirPrefix = "stage1-"

// Stage1Shard records one written Stage 1 shard and the CLIP shard it came from.
type Stage1Shard struct {
	Index      int    `json:"index"`
	Start      int    `json:"start"`
	Count      int    `json:"count"`
	SHA256     string `json:"sha256"`
	ClipSHA256 string `json:"clip_sha256"` // the CLIP shard s1 was computed from
}

// Stage1Meta is a Stage 1 add-on's meta.json.
type Stage1Meta struct {
	Format          int           `json:"format"`
	Identity        string        `json:"identity"` // model.Stage1Identity of A1
	Source          string        `json:"source"`   // where A1 came from (informative)
	Store           string        `json:"store"`    // key hash of the CLIP store
	N               int           `json:"n"`
	Views           int           `json:"views"`
	Dim             int           `json:"dim"`
	DType           string        `json:"dtype"`
	ShardSize       int           `json:"shard_size"`
	Shards          []Stage1Shard `json:"shards"`
	Complete        bool          `json:"complete"`
	Created         time.Time     `json:"created"`
	FairclipVersion string        `json:"fairclip_version"`
}

// Stage1Dir is the add-on directory of the Stage 1 adapter identity in store dir.
func Stage1Dir(dir, identity string) string {
	h := sha256.Sum256([]byte(identity))
	return filepath.Join(dir, Stage1DirPrefix+hex.EncodeToString(h[:])[:16])
}

func readStage1Meta(dir string) (*Stage1Meta, error) {
	var m Stage1Meta
	if err := readMetaFile(dir, "stage 1 outputs", &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func writeStage1Meta(dir string, m *Stage1Meta) error { return writeMetaFile(dir, m) }

func (m *Stage1Meta) formatVersion() int { return m.Format }

// Stage1AddOn is one add-on found in a store directory.
type Stage1AddOn struct {
	Dir  string
	Meta *Stage1Meta
}

// ListStage1 lists the Stage 1 add-ons of store dir, complete or not, by directory name.
func ListStage1(dir string) ([]Stage1AddOn, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("feature store %s: %w", dir, err)
	}
	var out []Stage1AddOn
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), Stage1DirPrefix) {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		m, err := readStage1Meta(sub)
		if err != nil {
			return nil, err
		}
		out = append(out, Stage1AddOn{Dir: sub, Meta: m})
	}
	return out, nil
}

// checkStage1 checks an add-on against its CLIP store: same samples, views, shards,
// and every Stage 1 shard computed from the CLIP shard now on disk.
func checkStage1(store *Meta, dir string, m *Stage1Meta) error {
	if m.Store != store.KeyHash || m.N != store.N || m.Views != store.Views || m.DType != store.DType || m.ShardSize != store.ShardSize {
		return fmt.Errorf("stage 1 outputs %s do not match their CLIP store (store %s n %d views %d %s shard %d; CLIP store %s n %d views %d %s shard %d): rerun `fairclip extract`",
			dir, m.Store, m.N, m.Views, m.DType, m.ShardSize, store.KeyHash, store.N, store.Views, store.DType, store.ShardSize)
	}
	clipSum := map[int]string{}
	for _, sh := range store.Shards {
		clipSum[sh.Index] = sh.ClipSHA256
	}
	for _, sh := range m.Shards {
		if clipSum[sh.Index] != sh.ClipSHA256 {
			return fmt.Errorf("stage 1 outputs %s shard %d were computed from another CLIP shard: rerun `fairclip extract`", dir, sh.Index)
		}
	}
	return nil
}

// Stage1Writer fills a Stage 1 add-on shard by shard (atomic per shard, resumable).
type Stage1Writer struct {
	dir   string
	store *Meta
	meta  *Stage1Meta
	done  map[int]bool
}

// CreateStage1 opens the add-on of identity in the complete CLIP store at storeDir for
// writing; an interrupted add-on of the same identity is resumed, one that no longer
// matches its CLIP store is started again.
func CreateStage1(storeDir, identity, source string, dim int, version string) (*Stage1Writer, error) {
	store, err := ReadMeta(storeDir)
	if err != nil {
		return nil, err
	}
	if !store.Complete {
		return nil, fmt.Errorf("feature store %s is incomplete: extract its CLIP shards first", storeDir)
	}
	if dim <= 0 {
		return nil, fmt.Errorf("stage 1 outputs in %s: dim %d", storeDir, dim)
	}
	dir := Stage1Dir(storeDir, identity)
	if old, err := readStage1Meta(dir); err == nil {
		if old.Identity == identity && old.Dim == dim && checkStage1(store, dir, old) == nil {
			w := &Stage1Writer{dir: dir, store: store, meta: old, done: map[int]bool{}}
			for _, sh := range old.Shards {
				w.done[sh.Index] = true
			}
			return w, nil
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("stage 1 outputs %s: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("stage 1 outputs %s: %w", dir, err)
	}
	m := &Stage1Meta{Format: FormatVersion, Identity: identity, Source: source, Store: store.KeyHash, N: store.N, Views: store.Views,
		Dim: dim, DType: store.DType, ShardSize: store.ShardSize, Shards: []Stage1Shard{}, Created: time.Now().UTC(), FairclipVersion: version}
	if err := writeStage1Meta(dir, m); err != nil {
		return nil, err
	}
	return &Stage1Writer{dir: dir, store: store, meta: m, done: map[int]bool{}}, nil
}

// Dir is the add-on directory.
func (w *Stage1Writer) Dir() string { return w.dir }

// Meta is the add-on's metadata as written so far.
func (w *Stage1Writer) Meta() *Stage1Meta { return w.meta }

// Pending lists the shards not yet written, in order.
func (w *Stage1Writer) Pending() []int {
	var out []int
	for i := 0; i < w.store.numShards(); i++ {
		if !w.done[i] {
			out = append(out, i)
		}
	}
	return out
}

// WriteShard stores shard i: count*views*dim values, sample-major then view.
func (w *Stage1Writer) WriteShard(i int, vals []float32) error {
	m := w.meta
	start := i * m.ShardSize
	count := min(m.ShardSize, m.N-start)
	if want := count * m.Views * m.Dim; len(vals) != want {
		return fmt.Errorf("stage 1 outputs %s shard %d: %d values, want %d", w.dir, i, len(vals), want)
	}
	var clipSum string
	for _, sh := range w.store.Shards {
		if sh.Index == i {
			clipSum = sh.ClipSHA256
		}
	}
	sh := Stage1Shard{Index: i, Start: start, Count: count, ClipSHA256: clipSum}
	err := atomicfile.Write(shardFile(w.dir, "stage1", i), 0o644, func(f io.Writer) error {
		var err error
		sh.SHA256, err = encode(f, vals, m.DType)
		return err
	})
	if err != nil {
		return err
	}
	m.Shards = append(m.Shards, sh)
	sort.Slice(m.Shards, func(a, b int) bool { return m.Shards[a].Index < m.Shards[b].Index })
	w.done[i] = true
	return writeStage1Meta(w.dir, m)
}

// Finish marks the add-on complete; it fails while shards are missing.
func (w *Stage1Writer) Finish() error {
	if p := w.Pending(); len(p) > 0 {
		return fmt.Errorf("stage 1 outputs %s: %d shards missing (first %d)", w.dir, len(p), p[0])
	}
	w.meta.Complete = true
	return writeStage1Meta(w.dir, w.meta)
}

// Stage1Reader reads a complete add-on through memory-mapped shards.
type Stage1Reader struct {
	dir    string
	meta   *Stage1Meta
	shards [][]byte
}

// OpenStage1 opens the complete add-on of identity in the store at storeDir; an error
// matching fs.ErrNotExist means the store holds no Stage 1 output for identity.
func OpenStage1(storeDir, identity string) (*Stage1Reader, error) {
	store, err := ReadMeta(storeDir)
	if err != nil {
		return nil, err
	}
	dir := Stage1Dir(storeDir, identity)
	m, err := readStage1Meta(dir)
	if err != nil {
		return nil, err
	}
	if m.Identity != identity {
		return nil, fmt.Errorf("stage 1 outputs %s hold adapter %q, not %q", dir, m.Identity, identity)
	}
	if !m.Complete {
		return nil, fmt.Errorf("stage 1 outputs %s are incomplete (%d shards): rerun `fairclip extract` (%w)", dir, len(m.Shards), fs.ErrNotExist)
	}
	if err := checkStage1(store, dir, m); err != nil {
		return nil, err
	}
	r := &Stage1Reader{dir: dir, meta: m}
	bpv := 4
	if m.DType == "float16" {
		bpv = 2
	}
	for _, sh := range m.Shards {
		b, err := mapFile(shardFile(dir, "stage1", sh.Index), sh.Count*m.Views*m.Dim*bpv)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.shards = append(r.shards, b)
	}
	return r, nil
}

// Meta is the add-on's metadata.
func (r *Stage1Reader) Meta() *Stage1Meta { return r.meta }

// Dim is the size of an s1 row.
func (r *Stage1Reader) Dim() int { return r.meta.Dim }

// Row copies s1 of sample i, view v into dst (len >= Dim).
func (r *Stage1Reader) Row(i, v int, dst []float32) error {
	m := r.meta
	if i < 0 || i >= m.N || v < 0 || v >= m.Views {
		return fmt.Errorf("stage 1 outputs %s: sample %d view %d out of range (%d samples, %d views)", r.dir, i, v, m.N, m.Views)
	}
	readRow(r.shards, m.DType, m.ShardSize, m.Views, m.Dim, i, v, dst)
	return nil
}

// Close unmaps the shards.
func (r *Stage1Reader) Close() error {
	for _, b := range r.shards {
		if b != nil {
			syscall.Munmap(b)
		}
	}
	r.shards = nil
	return nil
}

// verifyStage1 checks every add-on of the store at dir against its meta.json and
// the CLIP store.
func verifyStage1(dir string, store *Meta, res *VerifyResult, check func(path, want string) error) error {
	addOns, err := ListStage1(dir)
	if err != nil {
		return err
	}
	for _, a := range addOns {
		if !a.Meta.Complete {
			return fmt.Errorf("stage 1 outputs %s are incomplete (%d shards): rerun `fairclip extract`", a.Dir, len(a.Meta.Shards))
		}
		if err := checkStage1(store, a.Dir, a.Meta); err != nil {
			return err
		}
		if len(a.Meta.Shards) != store.numShards() {
			return fmt.Errorf("stage 1 outputs %s: %d shards, the CLIP store has %d", a.Dir, len(a.Meta.Shards), store.numShards())
		}
		for _, sh := range a.Meta.Shards {
			if err := check(shardFile(a.Dir, "stage1", sh.Index), sh.SHA256); err != nil {
				return err
			}
		}
	}
	return nil
}
