package config

import (
	"math"
	"reflect"
	"strconv"
	"strings"
)

// field is one YAML key of a struct in the schema.
type field struct {
	name  string
	index int
	typ   reflect.Type
}

// fieldsOf lists a schema struct's YAML keys in declaration order. The top-level
// `base` key is not part of the decoded schema: the loader consumes it.
func fieldsOf(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := strings.Split(sf.Tag.Get("yaml"), ",")[0]
		if name == "" || name == "-" || (t == configType && name == "base") {
			continue
		}
		out = append(out, field{name: name, index: i, typ: sf.Type})
	}
	return out
}

var configType = reflect.TypeFor[Config]()

func lookupField(t reflect.Type, name string) (field, bool) {
	for _, f := range fieldsOf(t) {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// typeName is the expected type as shown in error messages.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "float"
	case reflect.Bool:
		return "bool (true or false)"
	case reflect.String:
		return "string"
	case reflect.Slice:
		return "list of " + typeName(t.Elem()) + " (or null)"
	case reflect.Pointer:
		return typeName(t.Elem()) + " (or null)"
	case reflect.Struct:
		return "mapping"
	}
	return t.String()
}

// decoder applies node trees to Config values, collecting every problem.
type decoder struct {
	errs    []error
	notices []Notice
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (d *decoder) typeErr(n *node, key string, t reflect.Type) {
	d.errs = append(d.errs, &TypeError{
		File: n.at.file, Line: n.at.line, Column: n.at.col,
		Key: key, Want: typeName(t), Got: n.describe(),
	})
}

// decode sets v (addressable) from n. Keys absent from a mapping keep v's current
// values, so decoding onto Default() fills in defaults; lists replace whole.
func (d *decoder) decode(n *node, v reflect.Value, key string) {
	t := v.Type()
	switch t.Kind() {
	case reflect.Struct:
		if n.kind == kindNull { // a section with every key commented out
			return
		}
		if n.kind != kindMap {
			d.typeErr(n, key, t)
			return
		}
		for _, k := range n.keys {
			child := n.fields[k]
			f, ok := lookupField(t, k)
			if !ok {
				if t == configType && k == "base" {
					continue
				}
				d.errs = append(d.errs, unknownKey(child.keyAt, t, key, k))
				continue
			}
			d.decode(child, v.Field(f.index), join(key, k))
		}
	case reflect.Pointer:
		if n.kind == kindNull {
			v.Set(reflect.Zero(t))
			return
		}
		p := reflect.New(t.Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), key)
		if len(d.errs) == before {
			v.Set(p)
		}
	case reflect.Slice:
		switch n.kind {
		case kindNull:
			v.Set(reflect.Zero(t))
		case kindList:
			s := reflect.MakeSlice(t, len(n.items), len(n.items))
			for i, item := range n.items {
				d.decode(item, s.Index(i), key+"["+strconv.Itoa(i)+"]")
			}
			v.Set(s)
		default:
			d.typeErr(n, key, t)
		}
	case reflect.Int, reflect.Int64:
		if n.kind != kindInt || v.OverflowInt(n.i) {
			d.typeErr(n, key, t)
			return
		}
		v.SetInt(n.i)
	case reflect.Float64:
		switch n.kind {
		case kindInt:
			v.SetFloat(float64(n.i))
		case kindFloat:
			v.SetFloat(n.f)
		case kindString:
			// `3e-4` (no dot) is a float in YAML 1.2 but a string for PyYAML and for
			// this parser; accept it unquoted, with a notice, since the intent is clear.
			f, err := strconv.ParseFloat(n.s, 64)
			if !n.plain || err != nil {
				d.typeErr(n, key, t)
				return
			}
			v.SetFloat(f)
			if strings.HasPrefix(n.at.file, "--set ") {
				return
			}
			d.notices = append(d.notices, Notice{
				File: n.at.file, Line: n.at.line, Key: key,
				Message: "read " + n.s + " as the float " + formatFloat(f) +
					" (PyYAML, used by the original code, reads it as a string; write " + formatFloat(f) + " to be portable)",
			})
		default:
			d.typeErr(n, key, t)
		}
	case reflect.Bool:
		if n.kind != kindBool {
			d.typeErr(n, key, t)
			return
		}
		v.SetBool(n.b)
	case reflect.String:
		switch n.kind {
		case kindString:
			v.SetString(n.s)
		case kindNull:
			v.SetString("")
		default:
			d.typeErr(n, key, t)
		}
	default:
		d.typeErr(n, key, t)
	}
}

// isFinite reports whether f is neither NaN nor infinite.
func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
