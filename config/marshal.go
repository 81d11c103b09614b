package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Field is one leaf key of a configuration with its value: float64, int, int64,
// bool, string, []float64, []int or []string (possibly a nil slice for a null
// list), or nil for a null pointer.
type Field struct {
	Key   string
	Value any
}

// Flatten lists a configuration's leaf keys in schema order (Keys()) with their
// values; pointers are dereferenced. `base` is not included.
func Flatten(c Config) []Field {
	var out []Field
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		for _, f := range fieldsOf(v.Type()) {
			fv := v.Field(f.index)
			k := join(prefix, f.name)
			switch {
			case fv.Kind() == reflect.Struct:
				walk(fv, k)
			case fv.Kind() == reflect.Pointer:
				if fv.IsNil() {
					out = append(out, Field{Key: k})
				} else {
					out = append(out, Field{Key: k, Value: fv.Elem().Interface()})
				}
			default:
				out = append(out, Field{Key: k, Value: fv.Interface()})
			}
		}
	}
	walk(reflect.ValueOf(c), "")
	return out
}

// formatFloat writes f in its shortest round-tripping form, always with a decimal
// point in the mantissa so that YAML 1.1 and 1.2 readers (PyYAML included) see a
// float: 0.0003, 1.0, 1.0e-8, 1.5e+20.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	mant, exp, hasExp := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if !hasExp {
		return mant
	}
	sign := exp[:1]
	digits := strings.TrimLeft(exp[1:], "0")
	return mant + "e" + sign + digits
}

// show formats a value for messages, diffs and the canonical form: floats as
// formatFloat, strings verbatim, lists in flow style, nil as null.
func show(v any) string {
	return format(v, func(s string) string { return s })
}

// format formats a value, quoting strings with quote.
func format(v any, quote func(string) string) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case float64:
		return formatFloat(x)
	case string:
		return quote(x)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Struct { // an element of a list of sections: a flow mapping
		parts := []string{}
		for _, f := range fieldsOf(rv.Type()) {
			parts = append(parts, f.name+": "+format(rv.Field(f.index).Interface(), quote))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	if rv.Kind() == reflect.Slice {
		if rv.IsNil() {
			return "null"
		}
		parts := make([]string, rv.Len())
		for i := range parts {
			parts[i] = format(rv.Index(i).Interface(), quote)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// quoteYAML writes s as a YAML double-quoted scalar. Go's escapes (\n, \t, \",
// \\, \uXXXX) are YAML's too.
func quoteYAML(s string) string { return strconv.Quote(s) }

// Marshal writes a resolved configuration as YAML with every key, in schema order,
// under a header comment with its Hash. Loading the output gives back c.
func Marshal(c Config) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# fairclip resolved configuration (config hash %s)\n", Hash(c))
	var walk func(v reflect.Value, indent string)
	walk = func(v reflect.Value, indent string) {
		for _, f := range fieldsOf(v.Type()) {
			fv := v.Field(f.index)
			if fv.Kind() == reflect.Struct {
				fmt.Fprintf(&b, "%s%s:\n", indent, f.name)
				walk(fv, indent+"  ")
				continue
			}
			var val any
			switch {
			case fv.Kind() == reflect.Pointer && !fv.IsNil():
				val = fv.Elem().Interface()
			case fv.Kind() == reflect.Pointer:
				val = nil
			default:
				val = fv.Interface()
			}
			fmt.Fprintf(&b, "%s%s: %s\n", indent, f.name, format(val, quoteYAML))
		}
	}
	walk(reflect.ValueOf(c), "")
	return b.Bytes(), nil
}

// Hash is a stable identity of a resolved configuration: the hex SHA-256 of its
// canonical form, one `dotted.key=value` line per leaf key in schema order with
// floats in shortest round-trip form and strings quoted. Excluded: `base` (the
// resolved config carries its values, not where they came from). A null list and an
// empty list hash alike (both mean "none"). Key order and comments in the files, and
// how a value was reached (base, --set), do not change the hash; every value does,
// experiment_name included.
func Hash(c Config) string {
	h := sha256.New()
	fmt.Fprintln(h, "fairclip-config-v1")
	for _, f := range Flatten(c) {
		s := format(f.Value, strconv.Quote)
		if rv := reflect.ValueOf(f.Value); rv.Kind() == reflect.Slice && rv.Len() == 0 {
			s = "[]"
		}
		fmt.Fprintf(h, "%s=%s\n", f.Key, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}
