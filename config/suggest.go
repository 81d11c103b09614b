package config

import (
	"reflect"
	"sort"
	"strings"
)

// Keys lists every dotted leaf key of the schema in declaration order, e.g.
// "optimizer.lr" (lists and pointers are leaves; `base` is not included).
func Keys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for _, f := range fieldsOf(t) {
			k := join(prefix, f.name)
			if f.typ.Kind() == reflect.Struct {
				walk(f.typ, k)
				continue
			}
			out = append(out, k)
		}
	}
	walk(configType, "")
	return out
}

// unknownKey builds the error for key `name` in the section `prefix` of type t,
// suggesting the nearest known key.
func unknownKey(at pos, t reflect.Type, prefix, name string) *UnknownKeyError {
	e := &UnknownKeyError{File: at.file, Line: at.line, Column: at.col, Key: join(prefix, name)}
	if t.Kind() != reflect.Struct { // a key below a value: the value itself was meant
		e.Suggestion = prefix
		return e
	}
	e.Suggestion = suggest(t, prefix, name)
	if e.Suggestion == "" {
		for _, f := range fieldsOf(t) {
			e.Known = append(e.Known, f.name)
		}
	}
	return e
}

// suggest returns the dotted key a misspelt `name` in section `prefix` most
// likely meant: the same name in another section (e.g. `lr` at the top level ->
// `optimizer.lr`), else the closest sibling, else the closest key anywhere.
func suggest(t reflect.Type, prefix, name string) string {
	lname := strings.ToLower(name)
	all := Keys()
	sections := map[string]bool{}
	for _, k := range all {
		if i := strings.LastIndex(k, "."); i > 0 {
			sections[k[:i]] = true
		}
	}
	siblings := fieldsOf(t)
	for _, f := range siblings {
		if strings.ToLower(f.name) == lname {
			return join(prefix, f.name)
		}
	}
	for _, k := range all {
		if strings.ToLower(leaf(k)) == lname {
			return k
		}
	}
	best, bestD := "", 1<<30
	for _, f := range siblings {
		if d := editDistance(lname, strings.ToLower(f.name)); d < bestD {
			best, bestD = join(prefix, f.name), d
		}
	}
	if bestD <= tolerance(name) {
		return best
	}
	if len(lname) >= 3 {
		for _, f := range siblings {
			if l := strings.ToLower(f.name); strings.Contains(l, lname) || strings.Contains(lname, l) {
				return join(prefix, f.name)
			}
		}
	}
	cands := append([]string(nil), all...)
	for s := range sections {
		cands = append(cands, s)
	}
	sort.Strings(cands)
	best, bestD = "", 1<<30
	for _, k := range cands {
		if d := editDistance(lname, strings.ToLower(leaf(k))); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= tolerance(name) {
		return best
	}
	return ""
}

// tolerance is how many edits still count as a typo of a name.
func tolerance(name string) int {
	return max(2, len(name)/3)
}

func leaf(k string) string {
	if i := strings.LastIndex(k, "."); i >= 0 {
		return k[i+1:]
	}
	return k
}

// editDistance is the optimal-string-alignment distance between a and b over
// bytes: insertions, deletions, substitutions and adjacent transpositions cost 1.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
