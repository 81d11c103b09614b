package config

import (
	"reflect"
	"strings"
)

// parseSet turns one `dotted.key=value` override into a path and a value node,
// typed later by the schema. String keys take the value verbatim (surrounding
// quotes removed) so that `--set logging.experiment_name=2024` stays a string;
// other keys parse the value as YAML (`3e-4`, `true`, `[celebdf, dfd]`, empty = null).
func parseSet(expr string) ([]string, *node, error) {
	file := "--set " + expr
	key, val, ok := strings.Cut(expr, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		return nil, nil, &SyntaxError{File: file, Msg: "want KEY=VALUE, e.g. optimizer.lr=3e-4"}
	}
	path := strings.Split(key, ".")
	t := configType
	for i, seg := range path {
		prefix := strings.Join(path[:i], ".")
		f, found := lookupField(t, seg)
		if !found {
			return nil, nil, unknownKey(pos{file: file}, t, prefix, seg)
		}
		t = f.typ
		if i < len(path)-1 && t.Kind() != reflect.Struct {
			return nil, nil, unknownKey(pos{file: file}, t, join(prefix, seg), path[i+1])
		}
	}
	if t.Kind() == reflect.Struct {
		return nil, nil, &TypeError{File: file, Key: key, Want: "one of its keys (" + key + ".KEY=VALUE)", Got: "a whole section"}
	}
	if t.Kind() == reflect.String {
		s := strings.TrimSpace(val)
		if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
			s = s[1 : len(s)-1]
		}
		return path, &node{kind: kindString, at: pos{file: file}, keyAt: pos{file: file}, s: s, raw: s}, nil
	}
	n, err := parseYAML(file, []byte(val))
	if err != nil {
		return nil, nil, err
	}
	// parseYAML maps an empty document to an empty mapping; an empty value is null.
	if strings.TrimSpace(val) == "" {
		n = &node{kind: kindNull, at: pos{file: file}}
	}
	clearPos(n, file)
	return path, n, nil
}

// clearPos drops line numbers (meaningless for a one-line override) below n.
func clearPos(n *node, file string) {
	n.at = pos{file: file}
	n.keyAt = pos{file: file}
	for _, c := range n.fields {
		clearPos(c, file)
	}
	for _, c := range n.items {
		clearPos(c, file)
	}
}

// ApplySets applies `dotted.key=value` overrides to a resolved configuration and
// validates the result.
func ApplySets(c Config, sets []string) (Config, error) {
	root := &node{kind: kindMap, fields: map[string]*node{}}
	for _, s := range sets {
		path, v, err := parseSet(s)
		if err != nil {
			return c, err
		}
		root.set(path, v)
	}
	out := clone(c)
	var d decoder
	d.decode(root, reflect.ValueOf(&out).Elem(), "")
	if len(d.errs) > 0 {
		return c, joinErrs(d.errs)
	}
	if err := Validate(out); err != nil {
		return c, err
	}
	return out, nil
}
