package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"github.com/fairclip/fairclip/atomicfile"
)

// WriteFile atomically writes the tensors listed in names (in that order) and the optional
// metadata to path. Tensors are written as F32 unless their DType is "F64" or "I64".
func WriteFile(path string, names []string, tensors map[string]Tensor, meta map[string]string) error {
	header := make(map[string]any, len(names)+1)
	if len(meta) > 0 {
		header["__metadata__"] = meta
	}
	blobs := make([][]byte, len(names))
	offset := 0
	for i, name := range names {
		if name == "__metadata__" {
			return fmt.Errorf("safetensors %s: %q is reserved and cannot name a tensor", path, name)
		}
		if _, dup := header[name]; dup {
			return fmt.Errorf("safetensors %s: tensor %q listed twice", path, name)
		}
		t, ok := tensors[name]
		if !ok {
			return fmt.Errorf("safetensors %s: tensor %q listed but not given", path, name)
		}
		dtype, raw, err := encode(t)
		if err != nil {
			return fmt.Errorf("safetensors %s: tensor %q: %w", path, name, err)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = headerEntry{DType: dtype, Shape: shape, DataOffsets: []int{offset, offset + len(raw)}}
		blobs[i] = raw
		offset += len(raw)
	}
	js, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors %s: header: %w", path, err)
	}
	// Pad the header with spaces so the data starts 8-byte aligned, as the reference
	// writer does.
	if pad := (8 - len(js)%8) % 8; pad > 0 {
		js = append(js, bytes.Repeat([]byte{' '}, pad)...)
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		var lenBuf [8]byte
		binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
		if _, err := w.Write(lenBuf[:]); err != nil {
			return err
		}
		if _, err := w.Write(js); err != nil {
			return err
		}
		for _, b := range blobs {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
}
