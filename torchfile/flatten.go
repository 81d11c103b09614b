package torchfile

import (
	"fmt"
	"math/big"

	"github.com/fairclip/fairclip/safetensors"
	"github.com/nlpodyssey/gopickle/types"
)

// flatten walks v, storing tensors and leaf values under dotted names.
func flatten(prefix string, v any, a *archive, tensors map[string]safetensors.Tensor, values map[string]any) error {
	join := func(k any) string {
		if prefix == "" {
			return fmt.Sprint(k)
		}
		return prefix + "." + fmt.Sprint(k)
	}
	switch x := v.(type) {
	case *tensorRef:
		t, err := x.materialize()
		if err != nil {
			return fmt.Errorf("tensor %q: %w", prefix, err)
		}
		tensors[prefix] = t
	case *types.Dict:
		for _, e := range *x {
			if err := flatten(join(e.Key), e.Value, a, tensors, values); err != nil {
				return err
			}
		}
	case *types.OrderedDict:
		for el := x.List.Front(); el != nil; el = el.Next() {
			e := el.Value.(*types.OrderedDictEntry)
			if err := flatten(join(e.Key), e.Value, a, tensors, values); err != nil {
				return err
			}
		}
	case *object:
		if len(x.keys) == 0 && x.state == nil {
			values[prefix] = "<" + x.class + ">"
		}
		for _, k := range x.keys {
			if err := flatten(join(k), x.attrs[k], a, tensors, values); err != nil {
				return err
			}
		}
		if x.state != nil {
			if err := flatten(join("__state__"), x.state, a, tensors, values); err != nil {
				return err
			}
		}
	case *types.List:
		for i, it := range *x {
			if err := flatten(join(i), it, a, tensors, values); err != nil {
				return err
			}
		}
	case *types.Tuple:
		for i, it := range *x {
			if err := flatten(join(i), it, a, tensors, values); err != nil {
				return err
			}
		}
	case int:
		values[prefix] = int64(x)
	case int64:
		values[prefix] = x
	case *big.Int:
		if x.IsInt64() {
			values[prefix] = x.Int64()
		} else {
			values[prefix] = x.String()
		}
	case float64, string, bool, nil:
		values[prefix] = x
	case *storage:
		values[prefix] = "<storage " + x.record + ">"
	case opaque:
		values[prefix] = "<" + x.class + ">"
	default:
		values[prefix] = fmt.Sprintf("<%T>", x)
	}
	return nil
}
