package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
)

// Load reads a YAML configuration file strictly, resolves its `base:` chain,
// applies `dotted.key=value` overrides and validates the result. Keys the files do
// not set keep Default()'s values. Every returned error matches ErrInvalid; the
// typed errors (UnknownKeyError, TypeError, RangeError, CycleError, SyntaxError,
// FileError) are reachable with errors.As, several problems are joined.
func Load(path string, sets []string) (Config, []Notice, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, nil, &FileError{File: path, Err: err}
	}
	return LoadBytes(path, src, sets)
}

// LoadBytes is Load for a configuration already in memory; name is used in
// messages and to resolve a relative `base:` (relative to name's directory).
func LoadBytes(name string, src []byte, sets []string) (Config, []Notice, error) {
	var d decoder
	tree, err := resolve(name, src, nil)
	if err != nil {
		return Config{}, nil, err
	}
	for _, s := range sets {
		path, v, err := parseSet(s)
		if err != nil {
			return Config{}, nil, err
		}
		tree.set(path, v)
	}
	c := Default()
	d.decode(tree, reflect.ValueOf(&c).Elem(), "")
	if len(d.errs) > 0 {
		return Config{}, nil, joinErrs(d.errs)
	}
	c.Base = ""
	if g := tree.get("model.gate_init_bias"); (g == nil || g.kind == kindNull) && c.Stage == 1 {
		zero := 0.0 // Stage 1 has no gate: no notice
		c.Model.GateInitBias = &zero
	} else if g == nil || g.kind == kindNull {
		zero := 0.0
		c.Model.GateInitBias = &zero
		d.notices = append(d.notices, Notice{
			File: name, Key: "model.gate_init_bias",
			Message: "not set: using 0.0 (the report's recommendation, Exp3); the original Exp1 and Exp2 used 1.0 (hard-coded)",
		})
	}
	d.notices = append(d.notices, advise(c)...)
	if err := validate(c, tree); err != nil {
		return Config{}, nil, err
	}
	return c, d.notices, nil
}

// resolve parses one file and, recursively, its `base:` chain, returning the merged
// tree. Each file is checked against the schema on its own, so an error in a base
// is reported against the base even when the including file overrides the key
// (notices come later, from the merged tree, for the values that survive).
func resolve(name string, src []byte, chain []string) (*node, error) {
	id := name
	if abs, err := filepath.Abs(name); err == nil {
		id = abs
	}
	for _, seen := range chain {
		if seen == id {
			return nil, &CycleError{Chain: displayChain(append(chain, id))}
		}
	}
	chain = append(chain, id)
	tree, err := parseYAML(name, src)
	if err != nil {
		return nil, err
	}
	if tree.kind != kindMap {
		return nil, &TypeError{File: name, Line: tree.at.line, Column: tree.at.col, Key: "(top level)", Want: "mapping", Got: tree.describe()}
	}
	var check decoder
	scratch := Default()
	check.decode(tree, reflect.ValueOf(&scratch).Elem(), "")
	base := tree.fields["base"]
	if base != nil && base.kind != kindString {
		check.errs = append(check.errs, &TypeError{File: name, Line: base.at.line, Column: base.at.col, Key: "base", Want: "string (a file path)", Got: base.describe()})
	}
	if len(check.errs) > 0 {
		return nil, joinErrs(check.errs)
	}
	tree.del("base")
	if base == nil || base.s == "" {
		return tree, nil
	}
	basePath := base.s
	if !filepath.IsAbs(basePath) {
		basePath = filepath.Join(filepath.Dir(name), basePath)
	}
	baseSrc, err := os.ReadFile(basePath)
	if err != nil {
		return nil, &FileError{File: basePath + " (base of " + name + ")", Err: err}
	}
	parent, err := resolve(basePath, baseSrc, chain)
	if err != nil {
		return nil, err
	}
	return merge(parent, tree), nil
}

// displayChain shows the absolute ids of a chain relative to the working directory
// when possible.
func displayChain(chain []string) []string {
	wd, _ := os.Getwd()
	out := make([]string, len(chain))
	for i, c := range chain {
		out[i] = c
		if rel, err := filepath.Rel(wd, c); err == nil && wd != "" {
			out[i] = rel
		}
	}
	return out
}

// joinErrs returns nil, the only error, or all of them joined.
func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// clone deep-copies a Config (slices and pointers included).
func clone(c Config) Config {
	out := c
	v := reflect.ValueOf(&out).Elem()
	deepCopy(v)
	return out
}

func deepCopy(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			deepCopy(v.Field(i))
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(s, v)
			v.Set(s)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(v.Elem())
			v.Set(p)
		}
	}
}
