package runs

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"
)

var timeType = reflect.TypeOf(time.Time{})

// encodeEvent writes ev as one JSON object: "type" first, then the struct's fields in
// declaration order. It differs from encoding/json only in writing NaN and ±Inf as
// null (encoding/json refuses them; a metric can be undefined and a loss can diverge).
func encodeEvent(ev Event) ([]byte, error) {
	v := reflect.ValueOf(ev)
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("event %T: not a struct", ev)
	}
	typ, _ := json.Marshal(ev.EventType())
	b := append([]byte(`{"type":`), typ...)
	body, err := appendJSON(nil, v)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", ev.EventType(), err)
	}
	if len(body) > 2 { // not "{}"
		b = append(b, ',')
		b = append(b, body[1:]...)
	} else {
		b = append(b, '}')
	}
	return b, nil
}

// omitEmpty reports whether the field is optional (json tag ",omitempty"): left out
// when zero, and allowed to be missing.
func omitEmpty(f reflect.StructField) bool {
	_, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	return strings.Contains(opts, "omitempty")
}

// jsonName returns the field's JSON key, or "" to skip it.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

func appendJSON(b []byte, v reflect.Value) ([]byte, error) {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		return append(append(append(b, '"'), t.Format(time.RFC3339Nano)...), '"'), nil
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...), nil
		}
	case reflect.Struct:
		b = append(b, '{')
		first := true
		for i := 0; i < v.NumField(); i++ {
			name := jsonName(v.Type().Field(i))
			if name == "" || (omitEmpty(v.Type().Field(i)) && v.Field(i).IsZero()) {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			key, _ := json.Marshal(name)
			b = append(append(b, key...), ':')
			var err error
			if b, err = appendJSON(b, v.Field(i)); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		return append(b, '}'), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte: base64 as encoding/json does
		}
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, v.Index(i)); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			break
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			key, _ := json.Marshal(k.String())
			b = append(append(b, key...), ':')
			var err error
			if b, err = appendJSON(b, v.MapIndex(k)); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return appendJSON(b, v.Elem())
	}
	enc, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}

// fillNaN sets every float field reachable through structs and arrays to NaN, so that a JSON null
// or a missing key decodes as "undefined" rather than 0. Optional fields (omitempty), which
// are left out when zero, stay 0.
func fillNaN(v reflect.Value) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if v.CanSet() {
			v.SetFloat(math.NaN())
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fillNaN(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() && !omitEmpty(f) {
				fillNaN(v.Field(i))
			}
		}
	}
}

// decodeEvent parses one line into the struct for its "type". Unknown types become
// UnknownEvent.
func decodeEvent(line []byte) (Event, error) {
	var head struct {
		Type *string `json:"type"`
		Time string  `json:"time"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, err
	}
	if head.Type == nil {
		return nil, fmt.Errorf("no \"type\" field")
	}
	proto, ok := eventPrototype(*head.Type)
	if !ok {
		t, _ := time.Parse(time.RFC3339Nano, head.Time)
		return UnknownEvent{Type: *head.Type, Time: t, Raw: append([]byte(nil), line...)}, nil
	}
	p := reflect.New(reflect.TypeOf(proto))
	fillNaN(p.Elem())
	if err := json.Unmarshal(line, p.Interface()); err != nil {
		return nil, fmt.Errorf("%s event: %w", *head.Type, err)
	}
	return p.Elem().Interface().(Event), nil
}
