package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/x448/float16"
)

// Decode builds a tensor of the given safetensors dtype name and shape from raw
// little-endian row-major bytes, converting floating-point values to float32. Other
// readers of raw tensor data (package torchfile) share it.
func Decode(dtype string, shape []int, raw []byte) (Tensor, error) {
	t := Tensor{DType: dtype, Shape: append([]int{}, shape...)}
	size, ok := dtypeSize[dtype]
	if !ok {
		return Tensor{}, fmt.Errorf("unknown dtype %q", dtype)
	}
	if want := numElements(shape) * size; len(raw) != want {
		return Tensor{}, fmt.Errorf("%s%v needs %d bytes, have %d", dtype, shape, want, len(raw))
	}
	if err := decode(&t, raw); err != nil {
		return Tensor{}, err
	}
	return t, nil
}

// DTypeSize returns the element size in bytes of a safetensors dtype name, or 0 if the
// name is unknown.
func DTypeSize(dtype string) int {
	return dtypeSize[dtype]
}

// decode converts raw little-endian bytes of t.DType into t's value slices.
func decode(t *Tensor, raw []byte) error {
	n := len(raw) / dtypeSize[t.DType]
	le := binary.LittleEndian
	switch t.DType {
	case "F32":
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case "F16":
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = float16.Frombits(le.Uint16(raw[2*i:])).Float32()
		}
	case "BF16":
		t.F32 = make([]float32, n)
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(uint32(le.Uint16(raw[2*i:])) << 16)
		}
	case "F64":
		t.F64 = make([]float64, n)
		t.F32 = make([]float32, n)
		for i := range t.F64 {
			t.F64[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
			t.F32[i] = float32(t.F64[i])
		}
	case "I64", "U64":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	case "I32":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(int32(le.Uint32(raw[4*i:])))
		}
	case "U32":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint32(raw[4*i:]))
		}
	case "I16":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(int16(le.Uint16(raw[2*i:])))
		}
	case "U16":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint16(raw[2*i:]))
		}
	case "I8":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(int8(raw[i]))
		}
	case "U8", "BOOL":
		t.I64 = make([]int64, n)
		for i := range t.I64 {
			t.I64[i] = int64(raw[i])
		}
	default:
		return fmt.Errorf("dtype %s is not supported", t.DType)
	}
	return nil
}

// encode returns t's data as raw little-endian bytes in the dtype it is written with.
func encode(t Tensor) (dtype string, raw []byte, err error) {
	n := t.NumElements()
	le := binary.LittleEndian
	switch t.DType {
	case "", "F32":
		if len(t.F32) != n {
			return "", nil, fmt.Errorf("shape %v needs %d float32 values, have %d", t.Shape, n, len(t.F32))
		}
		raw = make([]byte, 4*n)
		for i, v := range t.F32 {
			le.PutUint32(raw[4*i:], math.Float32bits(v))
		}
		return "F32", raw, nil
	case "F64":
		if len(t.F64) != n {
			return "", nil, fmt.Errorf("shape %v needs %d float64 values, have %d", t.Shape, n, len(t.F64))
		}
		raw = make([]byte, 8*n)
		for i, v := range t.F64 {
			le.PutUint64(raw[8*i:], math.Float64bits(v))
		}
		return "F64", raw, nil
	case "I64":
		if len(t.I64) != n {
			return "", nil, fmt.Errorf("shape %v needs %d int64 values, have %d", t.Shape, n, len(t.I64))
		}
		raw = make([]byte, 8*n)
		for i, v := range t.I64 {
			le.PutUint64(raw[8*i:], uint64(v))
		}
		return "I64", raw, nil
	default:
		return "", nil, fmt.Errorf("writing dtype %s is not supported (use F32, F64 or I64)", t.DType)
	}
}
