package runs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ValidateEvent checks one events.jsonl line against the documented schema: a JSON
// object with a known "type", an RFC 3339 "time", every field of that type present
// with the right JSON kind (floats may be null = undefined), no undocumented field, and
// the value checks of docs/events.md (fractions in [0, 1], counts >= 0, epochs >= 1,
// enumerations). All problems are reported, joined.
func ValidateEvent(line []byte) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return fmt.Errorf("not a JSON object: %w", err)
	}
	rawType, ok := obj["type"]
	if !ok {
		return errors.New(`missing field "type"`)
	}
	var typ string
	if err := json.Unmarshal(rawType, &typ); err != nil {
		return fmt.Errorf(`"type" is not a string: %s`, rawType)
	}
	proto, ok := eventPrototype(typ)
	if !ok {
		return fmt.Errorf("unknown event type %q", typ)
	}
	delete(obj, "type")
	errs := validateObject(obj, reflect.TypeOf(proto), "")
	if len(errs) == 0 {
		errs = append(errs, crossFieldChecks(typ, line)...)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s event: %w", typ, errors.Join(errs...))
	}
	return nil
}

// crossFieldChecks are the rules that involve more than one field of a well-formed line.
func crossFieldChecks(typ string, line []byte) []error {
	switch typ {
	case TypeDegeneratePhase:
		var d DegeneratePhaseEvent
		if err := json.Unmarshal(line, &d); err == nil && d.End < d.Start {
			return []error{fmt.Errorf("end %d < start %d", d.End, d.Start)}
		}
	case TypeBest:
		var b struct {
			Metric string   `json:"metric"`
			Value  *float64 `json:"value"`
		}
		if err := json.Unmarshal(line, &b); err == nil && b.Metric != BestMetricStage1 && b.Value != nil {
			return checkNumber(*b.Value, "fraction", "value")
		}
	}
	return nil
}

func validateObject(obj map[string]json.RawMessage, t reflect.Type, prefix string) []error {
	var errs []error
	known := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		known[name] = true
		raw, ok := obj[name]
		if !ok && omitEmpty(f) {
			continue
		}
		if !ok {
			errs = append(errs, fmt.Errorf("missing field %q", prefix+name))
			continue
		}
		errs = append(errs, validateValue(raw, f.Type, f.Tag.Get("check"), prefix+name)...)
	}
	var unknown []string
	for k := range obj {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Errorf("undocumented field %q", prefix+k))
	}
	return errs
}

func validateValue(raw json.RawMessage, t reflect.Type, check, name string) []error {
	raw = bytes.TrimSpace(raw)
	isNull := string(raw) == "null"
	bad := func(want string) []error {
		return []error{fmt.Errorf("field %q: want %s, got %s", name, want, abbreviate(raw))}
	}
	if t == timeType {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return bad("an RFC 3339 time string")
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return bad("an RFC 3339 time string")
		}
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		var s string
		if isNull || json.Unmarshal(raw, &s) != nil {
			return bad("a string")
		}
		return checkString(s, check, name)
	case reflect.Bool:
		if string(raw) != "true" && string(raw) != "false" {
			return bad("true or false")
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return bad("an integer")
		}
		return checkNumber(float64(n), check, name)
	case reflect.Float64, reflect.Float32:
		if isNull {
			return nil
		}
		var f float64
		if raw[0] == '"' || json.Unmarshal(raw, &f) != nil {
			return bad("a number or null")
		}
		return checkNumber(f, check, name)
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if isNull || json.Unmarshal(raw, &obj) != nil {
			return bad("an object")
		}
		return validateObject(obj, t, name+".")
	case reflect.Slice, reflect.Array:
		var arr []json.RawMessage
		if isNull || json.Unmarshal(raw, &arr) != nil {
			return bad("an array")
		}
		if t.Kind() == reflect.Array && len(arr) != t.Len() {
			return bad(fmt.Sprintf("an array of %d", t.Len()))
		}
		var errs []error
		for i, el := range arr {
			errs = append(errs, validateValue(el, t.Elem(), check, fmt.Sprintf("%s[%d]", name, i))...)
		}
		return errs
	default:
		return []error{fmt.Errorf("field %q: schema has unsupported Go kind %s", name, t.Kind())}
	}
	return nil
}

func checkNumber(v float64, check, name string) []error {
	switch check {
	case "fraction":
		if v < 0 || v > 1 {
			return []error{fmt.Errorf("field %q = %g: want a fraction in [0, 1] (not percent)", name, v)}
		}
	case "nonneg":
		if v < 0 {
			return []error{fmt.Errorf("field %q = %g: want >= 0", name, v)}
		}
	case "positive":
		if v <= 0 {
			return []error{fmt.Errorf("field %q = %g: want > 0 (epochs count from 1)", name, v)}
		}
	}
	return nil
}

func checkString(s, check, name string) []error {
	switch {
	case check == "nonempty":
		if s == "" {
			return []error{fmt.Errorf("field %q: empty", name)}
		}
	case strings.HasPrefix(check, "enum="):
		allowed := strings.Split(strings.TrimPrefix(check, "enum="), "|")
		for _, a := range allowed {
			if s == a {
				return nil
			}
		}
		return []error{fmt.Errorf("field %q = %q: want one of %s", name, s, strings.Join(allowed, ", "))}
	}
	return nil
}

func abbreviate(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}

// ValidateLog checks every complete line of dir/events.jsonl with ValidateEvent (a
// truncated last line is allowed) and that the first event is run_start. Trainer
// tests call it on real output.
func ValidateLog(dir string) error {
	path := filepath.Join(dir, EventsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("validate events: %w", err)
	}
	lines := bytes.Split(data, []byte{'\n'})
	var errs []error
	first := true
	for i, line := range lines {
		if len(bytes.TrimSpace(line)) == 0 || (i == len(lines)-1 && !json.Valid(line)) {
			continue
		}
		if err := ValidateEvent(line); err != nil {
			errs = append(errs, fmt.Errorf("%s line %d: %w", path, i+1, err))
		}
		if first {
			first = false
			var head struct{ Type string }
			if json.Unmarshal(line, &head) != nil || head.Type != TypeRunStart {
				errs = append(errs, fmt.Errorf("%s line %d: first event is not run_start", path, i+1))
			}
		}
	}
	return errors.Join(errs...)
}
