package features

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
	"unsafe"
)

// Reader reads a complete store through memory-mapped shard files.
type Reader struct {
	dir    string
	meta   *Meta
	clip   [][]byte // per shard
	stage1 [][]byte
	tokens [][]byte // pooled patch tokens (Meta.Tokens > 0)
}

// Open opens the store in dir and checks that it was built for want (a *MismatchError
// names the differing key parts otherwise). want.Samples may be empty to accept any
// sample list.
func Open(dir string, want Key) (*Reader, error) {
	m, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	if want.Samples == "" {
		want.Samples = m.Key.Samples
	}
	if diffs := m.Key.Diff(want); len(diffs) > 0 {
		return nil, &MismatchError{Dir: dir, Diffs: diffs}
	}
	return OpenAny(dir)
}

// OpenAny opens a complete store without checking its key (info, verify, tests).
func OpenAny(dir string) (*Reader, error) {
	m, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	if !m.Complete {
		return nil, fmt.Errorf("feature store %s is incomplete (%d of %d shards): rerun `fairclip extract` to finish it",
			dir, len(m.Shards), m.numShards())
	}
	r := &Reader{dir: dir, meta: m}
	for _, sh := range m.Shards {
		b, err := mapFile(shardFile(dir, "clip", sh.Index), sh.Count*m.Views*m.ClipDim*m.bytesPerValue())
		if err != nil {
			r.Close()
			return nil, err
		}
		r.clip = append(r.clip, b)
		if m.Stage1Dim > 0 {
			b, err := mapFile(shardFile(dir, "stage1", sh.Index), sh.Count*m.Views*m.Stage1Dim*m.bytesPerValue())
			if err != nil {
				r.Close()
				return nil, err
			}
			r.stage1 = append(r.stage1, b)
		}
	}
	if err := r.mapTokens(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func mapFile(path string, size int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("feature store: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("feature store: %w", err)
	}
	if st.Size() != int64(size) {
		return nil, fmt.Errorf("feature store: %s has %d bytes, want %d (truncated or corrupt; rerun `fairclip extract`)", path, st.Size(), size)
	}
	if size == 0 {
		return nil, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("feature store: mmap %s: %w", path, err)
	}
	return b, nil
}

// Close unmaps the shard files.
func (r *Reader) Close() error {
	for _, b := range append(append(r.clip, r.stage1...), r.tokens...) {
		if b != nil {
			syscall.Munmap(b)
		}
	}
	r.clip, r.stage1, r.tokens = nil, nil, nil
	return nil
}

// Meta returns the store's metadata.
func (r *Reader) Meta() *Meta { return r.meta }

// Len is the number of samples.
func (r *Reader) Len() int { return r.meta.N }

// Views is the number of views per sample.
func (r *Reader) Views() int { return r.meta.Views }

// Dim is the CLIP embedding size.
func (r *Reader) Dim() int { return r.meta.ClipDim }

// Stage1Dim is the Stage 1 output size (0 when not stored).
func (r *Reader) Stage1Dim() int { return r.meta.Stage1Dim }

// Sample returns sample i's annotation.
func (r *Reader) Sample(i int) Sample { return r.meta.Samples[i] }

func (r *Reader) row(shards [][]byte, dim, i, view int, dst []float32) error {
	m := r.meta
	if i < 0 || i >= m.N || view < 0 || view >= m.Views {
		return fmt.Errorf("feature store %s: sample %d view %d out of range (%d samples, %d views)", r.dir, i, view, m.N, m.Views)
	}
	readRow(shards, m.DType, m.ShardSize, m.Views, dim, i, view, dst)
	return nil
}

// readRow copies row (i, view) of dim values from mapped shards of shardSize samples.
func readRow(shards [][]byte, dtype string, shardSize, views, dim, i, view int, dst []float32) {
	sh := i / shardSize
	off := ((i-sh*shardSize)*views + view) * dim
	src := shards[sh]
	if dtype == "float16" {
		for k := 0; k < dim; k++ {
			p := 2 * (off + k)
			dst[k] = halfToFloat32(uint16(src[p]) | uint16(src[p+1])<<8)
		}
		return
	}
	// float32 little endian: the mapped bytes are the values on little-endian hosts.
	vals := unsafe.Slice((*float32)(unsafe.Pointer(&src[4*off])), dim)
	copy(dst[:dim], vals)
}

// CLIP copies the embedding of sample i, view v into dst (len >= Dim).
func (r *Reader) CLIP(i, v int, dst []float32) error { return r.row(r.clip, r.meta.ClipDim, i, v, dst) }

// Stage1 copies the Stage 1 output of sample i, view v into dst (len >= Stage1Dim).
func (r *Reader) Stage1(i, v int, dst []float32) error {
	if r.meta.Stage1Dim == 0 {
		return fmt.Errorf("feature store %s holds no Stage 1 output", r.dir)
	}
	return r.row(r.stage1, r.meta.Stage1Dim, i, v, dst)
}

// Rows copies the embeddings of samples idx[j], views views[j] into dst[j*Dim:].
func (r *Reader) Rows(idx, views []int, dst []float32) error {
	d := r.meta.ClipDim
	for j, i := range idx {
		if err := r.CLIP(i, views[j], dst[j*d:(j+1)*d]); err != nil {
			return err
		}
	}
	return nil
}

// Verify recomputes every shard's checksum against meta.json.
func Verify(dir string) error {
	_, err := VerifyReport(dir)
	return err
}

// VerifyResult is what VerifyReport checked.
type VerifyResult struct {
	Dir   string `json:"dir"`
	OK    bool   `json:"ok"`
	Files int    `json:"files"` // shard files checked
	Bytes int64  `json:"bytes"`
	Error string `json:"error,omitempty"`
}

// VerifyReport recomputes every shard's sha256, stopping at the first mismatch.
func VerifyReport(dir string) (VerifyResult, error) {
	res := VerifyResult{Dir: dir}
	err := verify(dir, &res)
	if err != nil {
		res.Error = err.Error()
	}
	res.OK = err == nil
	return res, err
}

func verify(dir string, res *VerifyResult) error {
	m, err := ReadMeta(dir)
	if err != nil {
		return err
	}
	if !m.Complete {
		return fmt.Errorf("feature store %s is incomplete (%d of %d shards)", dir, len(m.Shards), m.numShards())
	}
	check := func(path, want string) error {
		raw, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		sum := sha256.Sum256(raw)
		if got := hex.EncodeToString(sum[:]); got != want {
			return fmt.Errorf("verify: %s checksum %s, meta.json says %s (corrupt: rerun `fairclip extract --rebuild`)", path, got[:12], want[:12])
		}
		res.Files++
		res.Bytes += int64(len(raw))
		return nil
	}
	for _, sh := range m.Shards {
		if err := check(shardFile(dir, "clip", sh.Index), sh.ClipSHA256); err != nil {
			return err
		}
		if m.Stage1Dim > 0 {
			if err := check(shardFile(dir, "stage1", sh.Index), sh.Stage1SHA256); err != nil {
				return err
			}
		}
		if m.Tokens > 0 {
			if err := check(shardFile(dir, "tokens", sh.Index), sh.TokensSHA256); err != nil {
				return err
			}
		}
	}
	return verifyStage1(dir, m, res, check)
}

// Info summarizes a store for `fairclip features info`.
type Info struct {
	Dir string `json:"dir"`
	N   int    `json:"n"`
	// Stage1 lists the Stage 1 add-ons (one per Stage 1 adapter).
	Stage1    []Stage1Info `json:"stage1_outputs"`
	Views     int          `json:"views"`
	ClipDim   int          `json:"clip_dim"`
	Stage1Dim int          `json:"stage1_dim"`
	DType     string       `json:"dtype"`
	// Tokens is the number of pooled patch tokens per sample and view (0: the class
	// token's embedding alone), stored as TokensDType.
	Tokens      int    `json:"tokens"`
	TokensDType string `json:"tokens_dtype,omitempty"`
	Shards      int    `json:"shards"`
	Complete    bool   `json:"complete"`
	Bytes       int64  `json:"bytes"`
	Bad         int    `json:"bad_samples"`
	Key         Key    `json:"key"`
	Labels      [2]int `json:"labels"` // real, fake
	// Subgroups counts samples per subgroup 0..7; index 8 counts unknown (-1).
	Subgroups       [9]int      `json:"subgroups"`
	BadSamples      []BadSample `json:"bad_sample_list"`
	Created         time.Time   `json:"created"`
	FairclipVersion string      `json:"fairclip_version"`
}

// Describe reads a store's summary.
func Describe(dir string) (Info, error) {
	m, err := ReadMeta(dir)
	if err != nil {
		return Info{}, err
	}
	inf := Info{Dir: dir, N: m.N, Views: m.Views, ClipDim: m.ClipDim, Stage1Dim: m.Stage1Dim, DType: m.DType,
		Shards: len(m.Shards), Complete: m.Complete, Bad: len(m.Bad), Key: m.Key, Tokens: m.Tokens, TokensDType: m.TokensDType,
		BadSamples: m.Bad, Created: m.Created, FairclipVersion: m.FairclipVersion}
	for _, s := range m.Samples {
		if s.Label == 0 || s.Label == 1 {
			inf.Labels[s.Label]++
		}
		if s.Subgroup >= 0 && s.Subgroup < 8 {
			inf.Subgroups[s.Subgroup]++
		} else {
			inf.Subgroups[8]++
		}
	}
	inf.Bytes = dirBytes(dir)
	addOns, err := ListStage1(dir)
	if err != nil {
		return inf, err
	}
	inf.Stage1 = []Stage1Info{}
	for _, a := range addOns {
		inf.Stage1 = append(inf.Stage1, Stage1Info{Dir: a.Dir, Identity: a.Meta.Identity, Source: a.Meta.Source, Dim: a.Meta.Dim,
			Shards: len(a.Meta.Shards), Complete: a.Meta.Complete, Bytes: dirBytes(a.Dir)})
	}
	return inf, nil
}

// Stage1Info summarizes one Stage 1 add-on.
type Stage1Info struct {
	Dir      string `json:"dir"`
	Identity string `json:"identity"`
	Source   string `json:"source"`
	Dim      int    `json:"dim"`
	Shards   int    `json:"shards"`
	Complete bool   `json:"complete"`
	Bytes    int64  `json:"bytes"`
}

// dirBytes is the size of the plain files in dir and its subdirectories.
func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			if fi, err := e.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
