package metrics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
)

// marshalNaNNull encodes v like encoding/json (struct tags, omitempty, sorted map keys) except
// that NaN and infinite floats become null, which encoding/json refuses to write. It does not
// call MarshalJSON methods, so types may use it to implement their own.
func marshalNaNNull(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeValue(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func encodeValue(b *bytes.Buffer, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b.WriteString("null")
			return nil
		}
		return encodeStd(b, f)
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return encodeValue(b, v.Elem())
	case reflect.Struct:
		return encodeStruct(b, v)
	case reflect.Map:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("json: unsupported map key type %s", v.Type().Key())
		}
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeStd(b, k.String()); err != nil {
				return err
			}
			b.WriteByte(':')
			if err := encodeValue(b, v.MapIndex(k)); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("null")
			return nil
		}
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeValue(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	}
	return encodeStd(b, v.Interface())
}

func encodeStruct(b *bytes.Buffer, v reflect.Value) error {
	t := v.Type()
	b.WriteByte('{')
	first := true
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			// Embedded struct: its fields are promoted, as in encoding/json.
			inner, err := marshalNaNNull(v.Field(i).Interface())
			if err != nil {
				return err
			}
			if body := inner[1 : len(inner)-1]; len(body) > 0 {
				if !first {
					b.WriteByte(',')
				}
				first = false
				b.Write(body)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if strings.Contains(opts, "omitempty") && isEmpty(fv) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		if err := encodeStd(b, name); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := encodeValue(b, fv); err != nil {
			return fmt.Errorf("json field %s: %w", name, err)
		}
	}
	b.WriteByte('}')
	return nil
}

func encodeStd(b *bytes.Buffer, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(data)
	return nil
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.String:
		return v.Len() == 0
	}
	return v.IsZero()
}
