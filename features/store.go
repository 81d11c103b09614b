package features

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/x448/float16"

	"github.com/fairclip/fairclip/atomicfile"
)

// FormatVersion is the on-disk layout version written to meta.json.
const FormatVersion = 1

// Sample is one stored sample's annotation.
type Sample struct {
	ID       string `json:"id"` // image path relative to the dataset root
	Label    int    `json:"label"`
	Subgroup int    `json:"subgroup"`
	Video    string `json:"video"`
}

// BadSample is a sample the extraction could not read (on_bad_image: skip).
type BadSample struct {
	ID    string `json:"id"`
	CSV   string `json:"csv,omitempty"` // index file and 1-based data row
	Row   int    `json:"row,omitempty"`
	Error string `json:"error"`
}

// Shard records one written shard.
type Shard struct {
	Index        int    `json:"index"`
	Start        int    `json:"start"`
	Count        int    `json:"count"`
	ClipSHA256   string `json:"clip_sha256"`
	Stage1SHA256 string `json:"stage1_sha256,omitempty"`
	TokensSHA256 string `json:"tokens_sha256,omitempty"` // pooled patch tokens (Meta.Tokens > 0)
}

// Meta is a store's meta.json.
type Meta struct {
	Format          int         `json:"format"`
	Key             Key         `json:"key"`
	KeyHash         string      `json:"key_hash"`
	N               int         `json:"n"`
	Views           int         `json:"views"`
	ClipDim         int         `json:"clip_dim"`
	Stage1Dim       int         `json:"stage1_dim"` // 0: no Stage 1 output stored
	DType           string      `json:"dtype"`      // float32 or float16
	ShardSize       int         `json:"shard_size"`
	Shards          []Shard     `json:"shards"`
	Complete        bool        `json:"complete"`
	Created         time.Time   `json:"created"`
	FairclipVersion string      `json:"fairclip_version"`
	Config          any         `json:"config,omitempty"` // the config subset that produced it
	Samples         []Sample    `json:"samples"`
	Bad             []BadSample `json:"bad_samples"`
	// Tokens is the number of pooled patch tokens stored per sample and view
	// (features.tokens patches:K; 0: none), in tokens-NNNNN.bin shards of TokensDType.
	Tokens      int    `json:"tokens,omitempty"`
	TokensDType string `json:"tokens_dtype,omitempty"`
}

func (m *Meta) numShards() int { return (m.N + m.ShardSize - 1) / m.ShardSize }

func (m *Meta) bytesPerValue() int {
	if m.DType == "float16" {
		return 2
	}
	return 4
}

func shardFile(dir, kind string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("%s-%05d.bin", kind, i))
}

// ReadMeta reads dir/meta.json.
func ReadMeta(dir string) (*Meta, error) {
	var m Meta
	if err := readMetaFile(dir, "feature store", &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func writeMeta(dir string, m *Meta) error { return writeMetaFile(dir, m) }

func (m *Meta) formatVersion() int { return m.Format }

// readMetaFile reads dir/meta.json into v and checks its format version; what names
// the kind of directory in errors.
func readMetaFile(dir, what string, v interface{ formatVersion() int }) error {
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, dir, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s %s: meta.json: %w", what, dir, err)
	}
	if f := v.formatVersion(); f != FormatVersion {
		return fmt.Errorf("%s %s: format %d, this fairclip reads %d", what, dir, f, FormatVersion)
	}
	return nil
}

// writeMetaFile atomically writes v as dir/meta.json.
func writeMetaFile(dir string, v any) error {
	raw, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "meta.json"), raw, 0o644)
}

// Spec describes a store to create.
type Spec struct {
	Key         Key
	Samples     []Sample
	Views       int
	ClipDim     int
	Stage1Dim   int
	DType       string // "float32" (default) or "float16"
	ShardSize   int    // samples per shard (default 4096)
	Version     string // fairclip version
	Config      any
	Tokens      int    // pooled patch tokens per sample and view (0: none)
	TokensDType string // "float16" (default) or "float32"
}

// Writer fills a store shard by shard; each shard is written atomically and recorded in
// meta.json, so an interrupted extraction resumes at the first missing shard.
type Writer struct {
	dir    string
	meta   *Meta
	done   map[int]bool
	tokens map[int]string // sha256 of token shards written by WriteTokens, by shard
	shared bool           // shards recorded in parts/, not meta.json (CreateShared)
}

// Create opens dir for writing. An existing store with the same key is resumed; one with
// another key is a *MismatchError (remove it to rebuild).
func Create(dir string, spec Spec) (*Writer, error) { return create(dir, spec, false) }

func create(dir string, spec Spec, shared bool) (*Writer, error) {
	if spec.DType == "" {
		spec.DType = "float32"
	}
	if spec.DType != "float32" && spec.DType != "float16" {
		return nil, fmt.Errorf("feature store %s: dtype %q, want float32 or float16", dir, spec.DType)
	}
	if spec.ShardSize <= 0 {
		spec.ShardSize = 4096
	}
	if spec.Views <= 0 || spec.ClipDim <= 0 || len(spec.Samples) == 0 {
		return nil, fmt.Errorf("feature store %s: need samples, views >= 1 and clip_dim >= 1", dir)
	}
	ids := make([]string, len(spec.Samples))
	for i, s := range spec.Samples {
		ids[i] = s.ID
	}
	spec.Key.Samples = SamplesHash(ids)
	if old, err := ReadMeta(dir); err == nil {
		if diffs := old.Key.Diff(spec.Key); len(diffs) > 0 {
			return nil, &MismatchError{Dir: dir, Diffs: diffs}
		}
		if old.Views != spec.Views || old.ClipDim != spec.ClipDim || old.Stage1Dim != spec.Stage1Dim || old.DType != spec.DType || old.ShardSize != spec.ShardSize {
			return nil, &MismatchError{Dir: dir, Diffs: []string{fmt.Sprintf("layout: views %d dims %d/%d %s shard %d -> views %d dims %d/%d %s shard %d",
				old.Views, old.ClipDim, old.Stage1Dim, old.DType, old.ShardSize, spec.Views, spec.ClipDim, spec.Stage1Dim, spec.DType, spec.ShardSize)}}
		}
		w := &Writer{dir: dir, meta: old, done: map[int]bool{}, shared: shared}
		for _, s := range old.Shards {
			w.done[s.Index] = true
		}
		return w, w.loadParts()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("feature store %s: %w", dir, err)
	}
	m := &Meta{Format: FormatVersion, Key: spec.Key, KeyHash: spec.Key.Hash(), N: len(spec.Samples), Views: spec.Views,
		ClipDim: spec.ClipDim, Stage1Dim: spec.Stage1Dim, DType: spec.DType, ShardSize: spec.ShardSize,
		Created: time.Now().UTC(), FairclipVersion: spec.Version, Config: spec.Config, Samples: spec.Samples, Bad: []BadSample{}}
	m.Tokens, m.TokensDType = spec.Tokens, spec.tokensDType()
	if shared {
		// Every process of a sharded extraction tries; the first one's meta.json stays.
		if created, err := createMeta(dir, m); err != nil {
			return nil, err
		} else if !created {
			return create(dir, spec, shared)
		}
	} else if err := writeMeta(dir, m); err != nil {
		return nil, err
	}
	return &Writer{dir: dir, meta: m, done: map[int]bool{}, shared: shared}, nil
}

// Meta returns the store's metadata as written so far.
func (w *Writer) Meta() *Meta { return w.meta }

// Pending lists the shard indices not yet written, in order.
func (w *Writer) Pending() []int {
	var out []int
	for i := 0; i < w.meta.numShards(); i++ {
		if !w.done[i] {
			out = append(out, i)
		}
	}
	return out
}

// ShardRange returns the first sample and the sample count of shard i.
func (w *Writer) ShardRange(i int) (start, count int) {
	start = i * w.meta.ShardSize
	return start, min(w.meta.ShardSize, w.meta.N-start)
}

func encode(dst io.Writer, vals []float32, dtype string) (string, error) {
	h := sha256.New()
	mw := io.MultiWriter(dst, h)
	buf := make([]byte, 0, 1<<16)
	flush := func() error {
		_, err := mw.Write(buf)
		buf = buf[:0]
		return err
	}
	for _, v := range vals {
		if dtype == "float16" {
			buf = binary.LittleEndian.AppendUint16(buf, float32ToHalf(v))
		} else {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		if len(buf) >= 1<<16-8 {
			if err := flush(); err != nil {
				return "", err
			}
		}
	}
	if err := flush(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteShard stores shard i: clip holds count*views*clip_dim values (sample-major, then
// view), stage1 count*views*stage1_dim values (nil when the store has no Stage 1 output),
// bad the samples of this shard that could not be read (their rows are zeros).
func (w *Writer) WriteShard(i int, clip, stage1 []float32, bad []BadSample) error {
	m := w.meta
	start, count := w.ShardRange(i)
	if want := count * m.Views * m.ClipDim; len(clip) != want {
		return fmt.Errorf("feature store %s shard %d: %d clip values, want %d", w.dir, i, len(clip), want)
	}
	if want := count * m.Views * m.Stage1Dim; len(stage1) != want {
		return fmt.Errorf("feature store %s shard %d: %d stage1 values, want %d", w.dir, i, len(stage1), want)
	}
	for j, v := range clip {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("feature store %s shard %d: non-finite clip value for sample %s", w.dir, i, m.Samples[start+j/(m.Views*m.ClipDim)].ID)
		}
	}
	sh := Shard{Index: i, Start: start, Count: count}
	if m.Tokens > 0 {
		if sh.TokensSHA256 = w.tokens[i]; sh.TokensSHA256 == "" {
			return fmt.Errorf("feature store %s shard %d: patch tokens not written (WriteTokens first)", w.dir, i)
		}
	}
	err := atomicfile.Write(shardFile(w.dir, "clip", i), 0o644, func(f io.Writer) error {
		var err error
		sh.ClipSHA256, err = encode(f, clip, m.DType)
		return err
	})
	if err != nil {
		return err
	}
	if m.Stage1Dim > 0 {
		err = atomicfile.Write(shardFile(w.dir, "stage1", i), 0o644, func(f io.Writer) error {
			var err error
			sh.Stage1SHA256, err = encode(f, stage1, m.DType)
			return err
		})
		if err != nil {
			return err
		}
	}
	w.record(sh, bad)
	if w.shared {
		return w.writeRecord(sh, bad)
	}
	return writeMeta(w.dir, m)
}

// record adds a written shard to the metadata.
func (w *Writer) record(sh Shard, bad []BadSample) {
	m := w.meta
	m.Shards = append(m.Shards, sh)
	sort.Slice(m.Shards, func(a, b int) bool { return m.Shards[a].Index < m.Shards[b].Index })
	m.Bad = append(m.Bad, bad...)
	w.done[sh.Index] = true
}

// Finish marks the store complete; it fails while shards are missing.
func (w *Writer) Finish() error {
	if err := w.loadParts(); err != nil {
		return err
	}
	if p := w.Pending(); len(p) > 0 {
		return fmt.Errorf("feature store %s: %d shards missing (first %d)", w.dir, len(p), p[0])
	}
	w.meta.Complete = true
	sortBad(w.meta)
	if err := writeMeta(w.dir, w.meta); err != nil {
		return err
	}
	return w.removeParts()
}

// float32ToHalf converts to IEEE 754 binary16 with round-to-nearest-even (the same
// float16 implementation the safetensors reader decodes with).
func float32ToHalf(f float32) uint16 { return float16.Fromfloat32(f).Bits() }

// halfToFloat32 converts IEEE 754 binary16 to float32.
func halfToFloat32(h uint16) float32 { return float16.Frombits(h).Float32() }
