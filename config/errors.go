package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every error Load, LoadBytes, ApplySets and
// Validate return: the configuration, a file it names or an override is at fault.
var ErrInvalid = errors.New("invalid configuration")

// where formats "file:line:col: " (parts that are unknown are left out).
func where(file string, line, col int) string {
	switch {
	case file == "":
		return ""
	case line <= 0:
		return file + ": "
	case col <= 0:
		return fmt.Sprintf("%s:%d: ", file, line)
	default:
		return fmt.Sprintf("%s:%d:%d: ", file, line, col)
	}
}

// SyntaxError is malformed YAML or a malformed --set expression.
type SyntaxError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return where(e.File, e.Line, e.Column) + "syntax error: " + e.Msg
}

// Is reports that a SyntaxError is an ErrInvalid.
func (e *SyntaxError) Is(target error) bool { return target == ErrInvalid }

// UnknownKeyError is a key the schema does not have.
type UnknownKeyError struct {
	File         string   // file name, or "--set KEY=VALUE" for an override
	Line, Column int      // position of the key; 0 when unknown
	Key          string   // dotted key as written, e.g. "optimizer.lrr"
	Suggestion   string   // nearest known dotted key; empty when nothing is close
	Known        []string // the section's keys, given when there is no suggestion
}

func (e *UnknownKeyError) Error() string {
	msg := where(e.File, e.Line, e.Column) + fmt.Sprintf("unknown key %q", e.Key)
	switch {
	case e.Suggestion != "":
		msg += fmt.Sprintf(" (did you mean %q?)", e.Suggestion)
	case len(e.Known) > 0:
		msg += " (known keys here: " + strings.Join(e.Known, ", ") + ")"
	}
	return msg
}

// Is reports that an UnknownKeyError is an ErrInvalid.
func (e *UnknownKeyError) Is(target error) bool { return target == ErrInvalid }

// TypeError is a value of the wrong YAML type for its key.
type TypeError struct {
	File         string
	Line, Column int
	Key          string // dotted key
	Want         string // expected type, e.g. "float", "list of integer"
	Got          string // what was found, e.g. `string "abc"`
}

func (e *TypeError) Error() string {
	return where(e.File, e.Line, e.Column) + fmt.Sprintf("%s: expected %s, got %s", e.Key, e.Want, e.Got)
}

// Is reports that a TypeError is an ErrInvalid.
func (e *TypeError) Is(target error) bool { return target == ErrInvalid }

// RangeError is a well-typed value outside its allowed range or set.
type RangeError struct {
	File         string // where the value was set; empty for a default or a Config built in code
	Line, Column int
	Key          string // dotted key
	Value        string // the value as formatted by fairclip
	Reason       string // e.g. "must be in [0, 1)"
}

func (e *RangeError) Error() string {
	return where(e.File, e.Line, e.Column) + fmt.Sprintf("%s = %s: %s", e.Key, e.Value, e.Reason)
}

// Is reports that a RangeError is an ErrInvalid.
func (e *RangeError) Is(target error) bool { return target == ErrInvalid }

// CycleError is a chain of `base:` includes that returns to a file already in it.
type CycleError struct {
	Chain []string // files in include order; the last one repeats an earlier one
}

func (e *CycleError) Error() string {
	return "base cycle: " + strings.Join(e.Chain, " -> ")
}

// Is reports that a CycleError is an ErrInvalid.
func (e *CycleError) Is(target error) bool { return target == ErrInvalid }

// FileError is a configuration file that cannot be read.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("read config %s: %v", e.File, e.Err) }

// Unwrap returns the underlying I/O error.
func (e *FileError) Unwrap() error { return e.Err }

// Is reports that a FileError is an ErrInvalid.
func (e *FileError) Is(target error) bool { return target == ErrInvalid }

// Notice is a remark about a configuration that loaded fine but deserves attention,
// e.g. a key left at a default that differs from what the original experiments used.
type Notice struct {
	File    string
	Line    int
	Key     string
	Message string
}

func (n Notice) String() string {
	return where(n.File, n.Line, 0) + n.Key + ": " + n.Message
}
