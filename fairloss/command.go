package fairloss

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrInput marks errors of the command functions caused by their input (unreadable
// file, bad JSON, missing or inconsistent fields, degenerate clouds).
var ErrInput = errors.New("invalid input")

// SinkhornCommand implements `fairclip sinkhorn --input FILE`: it reads FILE ("-" for
// standard input, format of SinkhornJSON) and writes the SinkhornOutput JSON to w.
func SinkhornCommand(path string, w io.Writer) error {
	return runCommand(path, w, func(r io.Reader) (any, error) { return SinkhornJSON(r) })
}

// Stage2Command implements `fairclip fairloss --input FILE` (format of Stage2JSON).
func Stage2Command(path string, w io.Writer) error {
	return runCommand(path, w, func(r io.Reader) (any, error) { return Stage2JSON(r) })
}

func runCommand(path string, w io.Writer, compute func(io.Reader) (any, error)) error {
	if path == "" {
		return fmt.Errorf("--input: missing (a JSON file, or - for standard input): %w", ErrInput)
	}
	r := io.Reader(os.Stdin)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInput, err)
		}
		defer f.Close()
		r = f
	}
	out, err := compute(r)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", path, ErrInput, err)
	}
	enc := json.NewEncoder(w)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
