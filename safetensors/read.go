package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// maxHeaderBytes bounds the JSON header so that a corrupt length cannot make a reader
// allocate gigabytes (the reference implementation uses the same 100 MB limit).
const maxHeaderBytes = 100 << 20

// ErrFormat is wrapped by every error caused by a malformed or truncated file.
var ErrFormat = errors.New("malformed safetensors file")

// headerEntry is one tensor's description in the JSON header.
type headerEntry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets []int  `json:"data_offsets"`
}

// ReadFile reads every tensor of the safetensors file at path.
func ReadFile(path string) (*File, error) {
	return ReadFileFunc(path, nil)
}

// ReadHeader reads only the header of the file at path: the tensors' dtypes and shapes
// (with no values), the metadata and the order. The whole header is validated, including
// that every tensor's data lies within the file.
func ReadHeader(path string) (*File, error) {
	return read(path, nil, true)
}

// ReadFileFunc reads the tensors of the file at path whose names keep accepts (all of them
// when keep is nil); the header is validated in full either way.
func ReadFileFunc(path string, keep func(name string) bool) (*File, error) {
	return read(path, keep, false)
}

func read(path string, keep func(name string) bool, headerOnly bool) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	entries, meta, dataStart, err := readHeader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("safetensors %s: %w", path, err)
	}
	out := &File{Tensors: make(map[string]Tensor, len(entries)), Metadata: meta}
	dataLen := st.Size() - dataStart
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := entries[names[i]].DataOffsets[0], entries[names[j]].DataOffsets[0]
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		e := entries[name]
		begin, end := int64(e.DataOffsets[0]), int64(e.DataOffsets[1])
		if end > dataLen {
			return nil, fmt.Errorf("safetensors %s: tensor %q: data [%d, %d) lies beyond the %d data bytes present (truncated file?): %w",
				path, name, begin, end, dataLen, ErrFormat)
		}
		if headerOnly {
			out.Tensors[name] = Tensor{DType: e.DType, Shape: append([]int{}, e.Shape...)}
			out.Order = append(out.Order, name)
			continue
		}
		if keep != nil && !keep(name) {
			continue
		}
		raw := make([]byte, end-begin)
		if _, err := f.ReadAt(raw, dataStart+begin); err != nil {
			return nil, fmt.Errorf("safetensors %s: tensor %q: %w", path, name, err)
		}
		t := Tensor{DType: e.DType, Shape: append([]int{}, e.Shape...)}
		if err := decode(&t, raw); err != nil {
			return nil, fmt.Errorf("safetensors %s: tensor %q: %w", path, name, err)
		}
		out.Tensors[name] = t
		out.Order = append(out.Order, name)
	}
	return out, nil
}

// readHeader parses and validates the header of a file of size bytes; it returns the
// tensor entries, the metadata and the offset where the data section starts.
func readHeader(r io.ReaderAt, size int64) (map[string]headerEntry, map[string]string, int64, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, nil, 0, fmt.Errorf("file has %d bytes, fewer than the 8-byte header length: %w", size, ErrFormat)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, nil, 0, err
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderBytes {
		return nil, nil, 0, fmt.Errorf("header length %d exceeds %d bytes: %w", n, maxHeaderBytes, ErrFormat)
	}
	if int64(n) > size-8 {
		return nil, nil, 0, fmt.Errorf("header length %d exceeds the %d bytes after it (truncated file?): %w", n, size-8, ErrFormat)
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, 8); err != nil {
		return nil, nil, 0, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(buf, &raw); err != nil {
		return nil, nil, 0, fmt.Errorf("header is not a JSON object: %v: %w", err, ErrFormat)
	}
	meta := map[string]string{}
	entries := make(map[string]headerEntry, len(raw))
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &meta); err != nil {
				return nil, nil, 0, fmt.Errorf("__metadata__ is not a map of strings: %v: %w", err, ErrFormat)
			}
			continue
		}
		var e headerEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, 0, fmt.Errorf("tensor %q: bad header entry: %v: %w", name, err, ErrFormat)
		}
		if err := e.validate(); err != nil {
			return nil, nil, 0, fmt.Errorf("tensor %q: %v: %w", name, err, ErrFormat)
		}
		entries[name] = e
	}
	return entries, meta, 8 + int64(n), nil
}

func (e headerEntry) validate() error {
	size, ok := dtypeSize[e.DType]
	if !ok {
		return fmt.Errorf("unknown dtype %q", e.DType)
	}
	if len(e.DataOffsets) != 2 {
		return fmt.Errorf("data_offsets must have 2 entries, has %d", len(e.DataOffsets))
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin {
		return fmt.Errorf("invalid data_offsets [%d, %d]", begin, end)
	}
	for _, d := range e.Shape {
		if d < 0 {
			return fmt.Errorf("negative dimension in shape %v", e.Shape)
		}
	}
	if want := numElements(e.Shape) * size; end-begin != want {
		return fmt.Errorf("data_offsets [%d, %d] hold %d bytes, but %s%v needs %d", begin, end, end-begin, e.DType, e.Shape, want)
	}
	return nil
}
