package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runFairlossCLI runs `fairclip args...` in-process and returns the exit code, standard
// output and the error text.
func runFairlossCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		return exitCode(err), out.String(), err.Error()
	}
	return 0, out.String(), ""
}

func writeInput(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.json")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSinkhornCommandGoldens(t *testing.T) {
	for _, name := range []string{"dev1d_case09.json", "dev01.json"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "fairloss", "testdata", "goldens", "sinkhorn", name)
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var want struct {
				Value float64         `json:"value"`
				GradX json.RawMessage `json:"grad_x"`
			}
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			code, out, msg := runFairlossCLI(t, "sinkhorn", "--input", path)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, msg)
			}
			var got struct {
				Value      float64         `json:"value"`
				GradX      json.RawMessage `json:"grad_x"`
				GradY      json.RawMessage `json:"grad_y"`
				Iterations int             `json:"iterations"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if math.Abs(got.Value-want.Value) > 1e-9*math.Abs(want.Value) || got.Iterations == 0 || got.GradY == nil {
				t.Errorf("value %v iterations %d, want %v", got.Value, got.Iterations, want.Value)
			}
			// Gradients keep the input's shape (numbers for 1-D input, rows otherwise).
			if (got.GradX[0] == '[' && got.GradX[1] == '[') != (want.GradX[0] == '[' && want.GradX[1] == '[') {
				t.Errorf("grad_x shape differs: %.40s vs %.40s", got.GradX, want.GradX)
			}
		})
	}
}

func TestSinkhornCommandBadInput(t *testing.T) {
	cases := []struct{ name, body, field string }{
		{"missing blur", `{"x":[0,1],"y":[1,2],"p":2,"scaling":0.5}`, "blur"},
		{"missing x", `{"y":[1,2],"p":2,"blur":0.1,"scaling":0.5}`, "field x"},
		{"missing p", `{"x":[0,1],"y":[1,2],"blur":0.1,"scaling":0.5}`, "field p"},
		{"dimension mismatch", `{"x":[[0,1]],"y":[[1,2,3]],"p":2,"blur":0.1,"scaling":0.5}`, "field y"},
		{"ragged rows", `{"x":[[0,1],[2]],"y":[[1,2]],"p":2,"blur":0.1,"scaling":0.5}`, "x[1]"},
		{"mixed", `{"x":[0,[1]],"y":[1],"p":2,"blur":0.1,"scaling":0.5}`, "x[1]"},
		{"weights length", `{"x":[0,1],"y":[1,2],"a":[1],"p":2,"blur":0.1,"scaling":0.5}`, "field a"},
		{"empty cloud", `{"x":[],"y":[1,2],"p":2,"blur":0.1,"scaling":0.5}`, "field x"},
		{"zero weight", `{"x":[0,1],"y":[1,2],"b":[0,0],"p":2,"blur":0.1,"scaling":0.5}`, "b"},
		{"bad p", `{"x":[0,1],"y":[1,2],"p":3,"blur":0.1,"scaling":0.5}`, "p = 3"},
		{"not json", `{"x":`, "decode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, msg := runFairlossCLI(t, "sinkhorn", "--input", writeInput(t, c.body))
			if code != 2 || !strings.Contains(msg, c.field) {
				t.Fatalf("exit %d, message %q; want 2 naming %q", code, msg, c.field)
			}
		})
	}
	if code, _, _ := runFairlossCLI(t, "sinkhorn", "--input", filepath.Join(t.TempDir(), "none.json")); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
	if code, _, msg := runFairlossCLI(t, "sinkhorn"); code != 2 || !strings.Contains(msg, "--input") {
		t.Errorf("no --input: exit %d %q", code, msg)
	}
}
