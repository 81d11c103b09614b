package runs

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestDocsListEveryField keeps docs/events.md and the Go structs in step: every event
// type and object has a section, and every field a table row in it.
func TestDocsListEveryField(t *testing.T) {
	doc, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, part := range strings.Split(string(doc), "\n### `")[1:] {
		name, body, _ := strings.Cut(part, "`")
		sections[name] = body
	}
	check := func(section string, typ reflect.Type) {
		body, ok := sections[section]
		if !ok {
			t.Errorf("docs/events.md: no section for %s", section)
			return
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := jsonName(f)
			if name == "" {
				continue
			}
			if !strings.Contains(body, "| `"+name+"` |") {
				t.Errorf("docs/events.md section %s: field %s not documented", section, name)
			}
			if f.Type.Kind() == reflect.Struct && f.Type != timeType {
				if _, ok := sections[name]; !ok && name != "val" {
					t.Errorf("docs/events.md: object %s.%s has no section", section, name)
				}
			}
		}
	}
	for _, typ := range EventTypes() {
		proto, _ := eventPrototype(typ)
		check(typ, reflect.TypeOf(proto))
	}
	check("metrics", reflect.TypeOf(Metrics{}))
	check("gate", reflect.TypeOf(Gate{}))
	check("params", reflect.TypeOf(Params{}))
	check("plan", reflect.TypeOf(Plan{}))
}
