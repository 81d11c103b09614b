package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// kind is the YAML type of a node.
type kind int

const (
	kindNull kind = iota
	kindMap
	kindList
	kindInt
	kindFloat
	kindBool
	kindString
)

// pos is where a node was written.
type pos struct {
	file      string
	line, col int
}

// node is a position-annotated YAML value, independent of the parser's AST so that
// files can be merged (base inheritance) and overridden (--set) before decoding.
type node struct {
	kind   kind
	at     pos // the value
	keyAt  pos // the key, for map entries
	keys   []string
	fields map[string]*node
	items  []*node
	i      int64
	f      float64
	b      bool
	s      string
	plain  bool   // an unquoted string scalar
	raw    string // scalar text as written
}

// describe names a node's type and value for error messages.
func (n *node) describe() string {
	switch n.kind {
	case kindNull:
		return "null"
	case kindMap:
		return "a mapping"
	case kindList:
		return "a list"
	case kindInt:
		return "integer " + n.raw
	case kindFloat:
		return "float " + n.raw
	case kindBool:
		return "bool " + n.raw
	default:
		return strconv.Quote(n.s) + " (a string)"
	}
}

// get returns the entry at a dotted path, or nil.
func (n *node) get(path string) *node {
	cur := n
	for _, seg := range strings.Split(path, ".") {
		if cur == nil || cur.kind != kindMap {
			return nil
		}
		cur = cur.fields[seg]
	}
	return cur
}

// set stores v at the path, creating maps on the way and replacing non-maps.
func (n *node) set(path []string, v *node) {
	cur := n
	for i, seg := range path {
		if i == len(path)-1 {
			cur.put(seg, v)
			return
		}
		next := cur.fields[seg]
		if next == nil || next.kind != kindMap {
			next = &node{kind: kindMap, at: v.at, keyAt: v.at, fields: map[string]*node{}}
			cur.put(seg, next)
		}
		cur = next
	}
}

// put adds or replaces a map entry, keeping first-seen key order.
func (n *node) put(key string, v *node) {
	if _, ok := n.fields[key]; !ok {
		n.keys = append(n.keys, key)
	}
	n.fields[key] = v
}

// del removes a map entry.
func (n *node) del(key string) {
	if _, ok := n.fields[key]; !ok {
		return
	}
	delete(n.fields, key)
	for i, k := range n.keys {
		if k == key {
			n.keys = append(n.keys[:i:i], n.keys[i+1:]...)
			break
		}
	}
}

// merge returns over laid on base: maps merge key by key (recursively), anything
// else in over replaces base. Neither input is modified.
func merge(base, over *node) *node {
	if base == nil {
		return over
	}
	if over == nil {
		return base
	}
	if base.kind != kindMap || over.kind != kindMap {
		return over
	}
	out := &node{kind: kindMap, at: over.at, keyAt: over.keyAt, fields: map[string]*node{}}
	for _, k := range base.keys {
		out.put(k, base.fields[k])
	}
	for _, k := range over.keys {
		out.put(k, merge(out.fields[k], over.fields[k]))
	}
	return out
}

// parseYAML parses one YAML document into a node tree. An empty document is an
// empty mapping.
func parseYAML(file string, src []byte) (*node, error) {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			p := ye.GetToken().Position
			return nil, &SyntaxError{File: file, Line: p.Line, Column: p.Column, Msg: ye.GetMessage()}
		}
		return nil, &SyntaxError{File: file, Msg: err.Error()}
	}
	if len(f.Docs) > 1 {
		return nil, &SyntaxError{File: file, Msg: "more than one YAML document"}
	}
	if len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return &node{kind: kindMap, at: pos{file: file}, fields: map[string]*node{}}, nil
	}
	c := converter{file: file, anchors: map[string]*node{}}
	return c.convert(f.Docs[0].Body)
}

// converter turns the parser's AST into nodes.
type converter struct {
	file    string
	anchors map[string]*node
}

func (c *converter) posOf(tk *token.Token) pos {
	if tk == nil || tk.Position == nil {
		return pos{file: c.file}
	}
	return pos{file: c.file, line: tk.Position.Line, col: tk.Position.Column}
}

func (c *converter) errAt(tk *token.Token, format string, args ...any) error {
	p := c.posOf(tk)
	return &SyntaxError{File: p.file, Line: p.line, Column: p.col, Msg: fmt.Sprintf(format, args...)}
}

func (c *converter) convert(an ast.Node) (*node, error) {
	tk := an.GetToken()
	at := c.posOf(tk)
	switch v := an.(type) {
	case *ast.DocumentNode:
		return c.convert(v.Body)
	case *ast.MappingNode:
		return c.mapping(at, v.Values)
	case *ast.MappingValueNode:
		return c.mapping(at, []*ast.MappingValueNode{v})
	case *ast.SequenceNode:
		out := &node{kind: kindList, at: at}
		for _, item := range v.Values {
			n, err := c.convert(item)
			if err != nil {
				return nil, err
			}
			out.items = append(out.items, n)
		}
		return out, nil
	case *ast.NullNode:
		return &node{kind: kindNull, at: at, raw: tk.Value}, nil
	case *ast.BoolNode:
		return &node{kind: kindBool, at: at, b: v.Value, raw: tk.Value}, nil
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return &node{kind: kindInt, at: at, i: x, raw: tk.Value}, nil
		case uint64:
			if x > math.MaxInt64 {
				return nil, c.errAt(tk, "integer %s out of range", tk.Value)
			}
			return &node{kind: kindInt, at: at, i: int64(x), raw: tk.Value}, nil
		default:
			return nil, c.errAt(tk, "unsupported integer %s", tk.Value)
		}
	case *ast.FloatNode:
		return &node{kind: kindFloat, at: at, f: v.Value, raw: tk.Value}, nil
	case *ast.InfinityNode:
		return &node{kind: kindFloat, at: at, f: v.Value, raw: tk.Value}, nil
	case *ast.NanNode:
		return &node{kind: kindFloat, at: at, f: math.NaN(), raw: tk.Value}, nil
	case *ast.StringNode:
		plain := tk.Type != token.DoubleQuoteType && tk.Type != token.SingleQuoteType
		return &node{kind: kindString, at: at, s: v.Value, plain: plain, raw: tk.Value}, nil
	case *ast.LiteralNode:
		return &node{kind: kindString, at: at, s: v.Value.Value, raw: v.Value.Value}, nil
	case *ast.AnchorNode:
		n, err := c.convert(v.Value)
		if err != nil {
			return nil, err
		}
		c.anchors[v.Name.String()] = n
		return n, nil
	case *ast.AliasNode:
		n, ok := c.anchors[v.Value.String()]
		if !ok {
			return nil, c.errAt(tk, "unknown alias *%s", v.Value.String())
		}
		return n, nil
	case *ast.TagNode:
		return nil, c.errAt(tk, "YAML tags (%s) are not supported in configs", tk.Value)
	default:
		return nil, c.errAt(tk, "unsupported YAML element %s", an.Type())
	}
}

func (c *converter) mapping(at pos, values []*ast.MappingValueNode) (*node, error) {
	out := &node{kind: kindMap, at: at, fields: map[string]*node{}}
	for _, mv := range values {
		ktk := mv.Key.GetToken()
		if _, ok := mv.Key.(*ast.MergeKeyNode); ok {
			return nil, c.errAt(ktk, "merge keys (<<) are not supported in configs; use base:")
		}
		key := ktk.Value
		if s, ok := mv.Key.(*ast.StringNode); ok {
			key = s.Value
		}
		val, err := c.convert(mv.Value)
		if err != nil {
			return nil, err
		}
		// Aliased nodes are shared: copy before attaching a key position.
		cp := *val
		cp.keyAt = c.posOf(ktk)
		out.put(key, &cp)
	}
	return out, nil
}
