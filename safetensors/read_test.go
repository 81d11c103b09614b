package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

type goldenFile struct {
	Order    []string            `json:"order"`
	Metadata map[string]string   `json:"metadata"`
	Tensors  map[string]goldenTT `json:"tensors"`
}

type goldenTT struct {
	DType string   `json:"dtype"`
	Shape []int    `json:"shape"`
	F32   []string `json:"f32"`
	F64   []string `json:"f64"`
	I64   []int64  `json:"i64"`
}

func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	b, err := os.ReadFile("testdata/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenFile
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func parseFloats(t *testing.T, ss []string) []float64 {
	t.Helper()
	out := make([]float64, len(ss))
	for i, s := range ss {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("golden value %q: %v", s, err)
		}
		out[i] = v
	}
	return out
}

// TestReadMatchesPyTorch checks every dtype's conversion against the float32 values
// PyTorch computes for the same bits (testdata/gen/gen.py).
func TestReadMatchesPyTorch(t *testing.T) {
	g := loadGolden(t)
	f, err := ReadFile("testdata/mixed.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Order, g.Order) {
		t.Errorf("order = %v, want %v", f.Order, g.Order)
	}
	if !reflect.DeepEqual(f.Metadata, g.Metadata) {
		t.Errorf("metadata = %v, want %v", f.Metadata, g.Metadata)
	}
	for name, want := range g.Tensors {
		got, ok := f.Tensors[name]
		if !ok {
			t.Errorf("%s: missing", name)
			continue
		}
		if got.DType != want.DType || !reflect.DeepEqual(got.Shape, want.Shape) {
			t.Errorf("%s: %s%v, want %s%v", name, got.DType, got.Shape, want.DType, want.Shape)
		}
		if want.F32 != nil {
			wf := parseFloats(t, want.F32)
			if len(got.F32) != len(wf) {
				t.Fatalf("%s: %d values, want %d", name, len(got.F32), len(wf))
			}
			for i, w := range wf {
				if math.Float32bits(got.F32[i]) != math.Float32bits(float32(w)) {
					t.Errorf("%s[%d] = %v, want %v", name, i, got.F32[i], w)
				}
			}
		}
		if want.F64 != nil {
			wf := parseFloats(t, want.F64)
			if !reflect.DeepEqual(got.F64, wf) {
				t.Errorf("%s: F64 = %v, want %v", name, got.F64, wf)
			}
		}
		if want.I64 != nil && !reflect.DeepEqual(got.I64, want.I64) {
			t.Errorf("%s: I64 = %v, want %v", name, got.I64, want.I64)
		}
	}
}

func TestReadFileFuncFilters(t *testing.T) {
	f, err := ReadFileFunc("testdata/mixed.safetensors", func(name string) bool { return strings.HasPrefix(name, "f16.") })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"f16.matrix", "f16.special"}; !reflect.DeepEqual(f.Order, want) {
		t.Errorf("order = %v, want %v", f.Order, want)
	}
}

// corrupt returns a copy of the test file modified by edit, written to a temp dir.
func corrupt(t *testing.T, edit func(b []byte) []byte) string {
	t.Helper()
	b, err := os.ReadFile("testdata/mixed.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.safetensors")
	if err := os.WriteFile(path, edit(append([]byte{}, b...)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// withHeader builds a file from a raw header string and n data bytes.
func withHeader(header string, n int) func([]byte) []byte {
	return func([]byte) []byte {
		out := make([]byte, 8, 8+len(header)+n)
		binary.LittleEndian.PutUint64(out, uint64(len(header)))
		out = append(out, header...)
		return append(out, make([]byte, n)...)
	}
}

func TestReadRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name  string
		edit  func([]byte) []byte
		wants []string // substrings of the error
	}{
		{"truncated data", func(b []byte) []byte { return b[:len(b)-3] }, []string{"bad.safetensors", `"f16.special"`, "truncated"}},
		{"truncated header", func(b []byte) []byte { return b[:40] }, []string{"bad.safetensors", "header length"}},
		{"tiny", func(b []byte) []byte { return b[:5] }, []string{"bad.safetensors", "fewer than"}},
		{"not json", withHeader("{not json}", 0), []string{"not a JSON object"}},
		{"unknown dtype", withHeader(`{"w":{"dtype":"X9","shape":[1],"data_offsets":[0,4]}}`, 4), []string{`"w"`, "unknown dtype"}},
		{"size mismatch", withHeader(`{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}`, 12), []string{`"w"`, "needs 16"}},
		{"offset beyond data", withHeader(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}`, 8), []string{`"w"`, "beyond"}},
		{"reversed offsets", withHeader(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, 8), []string{`"w"`, "invalid data_offsets"}},
		{"bad metadata", withHeader(`{"__metadata__":{"a":1}}`, 0), []string{"__metadata__"}},
		{"huge header length", func(b []byte) []byte { binary.LittleEndian.PutUint64(b, 1<<40); return b }, []string{"exceeds"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFile(corrupt(t, tc.edit))
			if err == nil {
				t.Fatal("read succeeded, want error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "nope.safetensors"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist", err)
	}
}

func TestReadHeader(t *testing.T) {
	g := loadGolden(t)
	f, err := ReadHeader("testdata/mixed.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Order, g.Order) {
		t.Errorf("order = %v, want %v", f.Order, g.Order)
	}
	for name, want := range g.Tensors {
		got := f.Tensors[name]
		if got.DType != want.DType || !reflect.DeepEqual(got.Shape, want.Shape) || got.F32 != nil || got.I64 != nil {
			t.Errorf("%s: %s%v (F32 %v, I64 %v), want %s%v and no data", name, got.DType, got.Shape, got.F32, got.I64, want.DType, want.Shape)
		}
	}
	if _, err := ReadHeader(corrupt(t, func(b []byte) []byte { return b[:len(b)-1] })); !errors.Is(err, ErrFormat) {
		t.Errorf("truncated file: err = %v, want ErrFormat", err)
	}
}
