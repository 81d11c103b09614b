// Package safetensors reads and writes the safetensors tensor file format (an 8-byte
// little-endian header length, a JSON header, then raw little-endian tensor data).
//
// Floating-point tensors of any stored precision (F16, BF16, F32, F64) are converted to
// float32 on read, because fairclip computes in float32 and GoMLX's pure-Go backend does not
// support float16.
package safetensors

import "fmt"

// Tensor is one named array of a safetensors file.
type Tensor struct {
	// DType is the stored element type: F16, BF16, F32, F64, I8, I16, I32, I64, U8, BOOL...
	// When writing, "" means F32.
	DType string
	// Shape lists the dimensions, outermost first; an empty Shape is a scalar.
	Shape []int
	// F32 holds the values of floating-point tensors, converted to float32 (row-major).
	F32 []float32
	// F64 holds the values of F64 tensors at full precision (read), or the data to write
	// when DType is "F64".
	F64 []float64
	// I64 holds the values of integer and boolean tensors (read), or the data to write when
	// DType is "I64".
	I64 []int64
}

// NumElements returns the product of the shape's dimensions (1 for a scalar).
func (t Tensor) NumElements() int {
	return numElements(t.Shape)
}

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// File is the content of a safetensors file.
type File struct {
	// Tensors maps each tensor name to its data.
	Tensors map[string]Tensor
	// Metadata is the header's optional "__metadata__" string map (never nil after a read).
	Metadata map[string]string
	// Order lists the tensor names by their position in the data section.
	Order []string
}

// dtypeSize is the element size in bytes of every dtype the format defines.
var dtypeSize = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// ShapeString formats a shape as PyTorch prints it, e.g. [768, 3, 32, 32].
func ShapeString(shape []int) string {
	return fmt.Sprint(shape)
}
