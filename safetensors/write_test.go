package safetensors

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestWriteRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.safetensors")
	in := map[string]Tensor{
		"b":      {Shape: []int{2, 2}, F32: []float32{1, -2, 3.5, 1e-30}},
		"a":      {DType: "F64", Shape: []int{3}, F64: []float64{1.0 / 3, -1e300, 0}},
		"idx":    {DType: "I64", Shape: []int{2}, I64: []int64{-1 << 40, 9}},
		"scalar": {DType: "F32", F32: []float32{2}},
		"empty":  {Shape: []int{0, 4}, F32: []float32{}},
	}
	names := []string{"b", "a", "idx", "scalar", "empty"}
	meta := map[string]string{"epoch": "3"}
	if err := WriteFile(path, names, in, meta); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(raw); (8+n)%8 != 0 {
		t.Errorf("data section starts at %d, not 8-byte aligned", 8+n)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Order, names) {
		t.Errorf("order = %v, want %v", f.Order, names)
	}
	if !reflect.DeepEqual(f.Metadata, meta) {
		t.Errorf("metadata = %v, want %v", f.Metadata, meta)
	}
	check := []struct {
		name  string
		dtype string
		shape []int
		f32   []float32
		f64   []float64
		i64   []int64
	}{
		{"b", "F32", []int{2, 2}, []float32{1, -2, 3.5, 1e-30}, nil, nil},
		{"a", "F64", []int{3}, []float32{1.0 / 3, float32(math.Inf(-1)), 0}, []float64{1.0 / 3, -1e300, 0}, nil},
		{"idx", "I64", []int{2}, nil, nil, []int64{-1 << 40, 9}},
		{"scalar", "F32", []int{}, []float32{2}, nil, nil},
		{"empty", "F32", []int{0, 4}, []float32{}, nil, nil},
	}
	for _, c := range check {
		got := f.Tensors[c.name]
		if got.DType != c.dtype || !reflect.DeepEqual(got.Shape, c.shape) {
			t.Errorf("%s: %s%v, want %s%v", c.name, got.DType, got.Shape, c.dtype, c.shape)
		}
		if c.f32 != nil && !reflect.DeepEqual(got.F32, c.f32) {
			t.Errorf("%s: F32 = %v, want %v", c.name, got.F32, c.f32)
		}
		if !reflect.DeepEqual(got.F64, c.f64) {
			t.Errorf("%s: F64 = %v, want %v", c.name, got.F64, c.f64)
		}
		if !reflect.DeepEqual(got.I64, c.i64) {
			t.Errorf("%s: I64 = %v, want %v", c.name, got.I64, c.i64)
		}
	}
}

func TestWriteRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		names   []string
		tensors map[string]Tensor
		want    string
	}{
		{"wrong length", []string{"w"}, map[string]Tensor{"w": {Shape: []int{2, 3}, F32: make([]float32, 5)}}, `"w": shape [2 3] needs 6`},
		{"missing", []string{"w"}, map[string]Tensor{}, `"w" listed but not given`},
		{"duplicate", []string{"w", "w"}, map[string]Tensor{"w": {Shape: []int{1}, F32: []float32{1}}}, "twice"},
		{"reserved", []string{"__metadata__"}, map[string]Tensor{}, "reserved"},
		{"f16", []string{"w"}, map[string]Tensor{"w": {DType: "F16", Shape: []int{1}, F32: []float32{1}}}, "not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.safetensors")
			err := WriteFile(path, tc.names, tc.tensors, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %q", err, tc.want)
			}
			if _, serr := os.Stat(path); !os.IsNotExist(serr) {
				t.Errorf("failed write left %s behind", path)
			}
		})
	}
}
