package torchfile

import (
	"fmt"
	"math/big"

	"github.com/fairclip/fairclip/safetensors"
	"github.com/nlpodyssey/gopickle/types"
)

// storageDTypes maps PyTorch's legacy storage class names, which torch.save still writes
// into persistent ids, to safetensors dtype names.
var storageDTypes = map[string]string{
	"FloatStorage":    "F32",
	"HalfStorage":     "F16",
	"BFloat16Storage": "BF16",
	"DoubleStorage":   "F64",
	"LongStorage":     "I64",
	"IntStorage":      "I32",
	"ShortStorage":    "I16",
	"CharStorage":     "I8",
	"ByteStorage":     "U8",
	"BoolStorage":     "BOOL",
}

// storageClass is a torch.XStorage class as it appears in a persistent id.
type storageClass struct{ dtype string }

// callFunc adapts a Go function to a pickle callable.
type callFunc func(args ...any) (any, error)

func (f callFunc) Call(args ...any) (any, error) { return f(args...) }

// findClass resolves the globals a torch archive refers to; unknown classes become generic
// objects whose state is kept, so that module trees (TorchScript) can be walked.
func findClass(module, name string) (any, error) {
	full := module + "." + name
	if module == "torch" {
		if dt, ok := storageDTypes[name]; ok {
			return &storageClass{dtype: dt}, nil
		}
	}
	switch full {
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		return callFunc(rebuildTensor), nil
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
		// TorchScript's type annotations and typed-list builders wrap a plain value.
		"torch.jit._pickle.restore_type_tag", "torch.jit._pickle.build_intlist",
		"torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
		"torch.jit._pickle.build_tensorlist":
		return callFunc(func(args ...any) (any, error) {
			if len(args) < 1 {
				return nil, fmt.Errorf("%s: no arguments", full)
			}
			return args[0], nil
		}), nil
	case "numpy.dtype":
		return callFunc(func(args ...any) (any, error) {
			name, _ := firstArg(args).(string)
			return &numpyDType{name: name}, nil
		}), nil
	case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar":
		return callFunc(numpyScalar), nil
	case "_codecs.encode":
		return callFunc(func(args ...any) (any, error) {
			s, ok := firstArg(args).(string)
			if !ok {
				return nil, fmt.Errorf("_codecs.encode: want a string")
			}
			return latin1(s), nil
		}), nil
	case "collections.OrderedDict":
		return &types.OrderedDictClass{}, nil
	case "builtins.set", "builtins.frozenset", "__builtin__.set":
		return callFunc(func(args ...any) (any, error) { return opaque{class: full}, nil }), nil
	}
	return &objectClass{name: full}, nil
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// objectClass stands for any Python class the reader does not model.
type objectClass struct{ name string }

// object is an instance of a class the reader does not model; its pickled state (for
// modules: their attributes, parameters and submodules) is kept in order.
type object struct {
	class string
	keys  []string
	attrs map[string]any
	state any // non-dict state, if any
}

func (c *objectClass) PyNew(args ...any) (any, error) {
	return &object{class: c.name, attrs: map[string]any{}}, nil
}

func (c *objectClass) Call(args ...any) (any, error) {
	return &object{class: c.name, attrs: map[string]any{}}, nil
}

func (o *object) set(key string, v any) {
	if _, ok := o.attrs[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.attrs[key] = v
}

// PySetState implements BUILD for dict states (module attributes) and keeps other
// states as they are.
func (o *object) PySetState(state any) error {
	if t, ok := state.(*types.Tuple); ok && t.Len() == 2 {
		if _, isDict := t.Get(0).(*types.Dict); isDict {
			state = t.Get(0)
		}
	}
	switch s := state.(type) {
	case *types.Dict:
		for _, e := range *s {
			o.set(fmt.Sprint(e.Key), e.Value)
		}
	default:
		o.state = state
	}
	return nil
}

// opaque is a value the reader skips (sets and the like).
type opaque struct{ class string }

// normalizeInt converts pickle integers to int64 when they fit.
func normalizeInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case *big.Int:
		if x.IsInt64() {
			return x.Int64(), true
		}
	}
	return 0, false
}

// numpyDType is numpy.dtype(str, ...) as pickled; only its name is needed.
type numpyDType struct{ name string }

func (d *numpyDType) PySetState(any) error { return nil }

// numpyScalar implements numpy.core.multiarray.scalar(dtype, raw bytes) for the scalar
// types checkpoints hold (e.g. "best_loss": np.float64(0.3)).
func numpyScalar(args ...any) (any, error) {
	if len(args) < 2 {
		return opaque{class: "numpy scalar"}, nil
	}
	dt, ok := args[0].(*numpyDType)
	raw, ok2 := toBytes(args[1])
	if !ok || !ok2 {
		return opaque{class: "numpy scalar"}, nil
	}
	var st string
	switch dt.name {
	case "f8":
		st = "F64"
	case "f4":
		st = "F32"
	case "f2":
		st = "F16"
	case "i8":
		st = "I64"
	case "i4":
		st = "I32"
	case "b1":
		st = "BOOL"
	default:
		return opaque{class: "numpy scalar " + dt.name}, nil
	}
	t, err := safetensors.Decode(st, nil, raw)
	if err != nil {
		return nil, fmt.Errorf("numpy scalar %s: %w", dt.name, err)
	}
	switch {
	case t.F64 != nil:
		return t.F64[0], nil
	case t.F32 != nil:
		return float64(t.F32[0]), nil
	case st == "BOOL":
		return t.I64[0] != 0, nil
	default:
		return t.I64[0], nil
	}
}

// toBytes accepts pickled bytes in their protocol-3 form ([]byte) or the latin-1 string
// that _codecs.encode receives under protocol 2.
func toBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case string:
		return latin1(x), true
	}
	return nil, false
}

func latin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = append(out, byte(r))
	}
	return out
}
