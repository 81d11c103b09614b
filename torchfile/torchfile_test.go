package torchfile

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/safetensors"
)

type expTensor struct {
	DType string   `json:"dtype"`
	Shape []int    `json:"shape"`
	F32   []string `json:"f32"`
	I64   []int64  `json:"i64"`
}

type expFile struct {
	Tensors map[string]expTensor `json:"tensors"`
	Values  map[string]any       `json:"values"`
}

func loadExpected(t *testing.T) map[string]expFile {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e map[string]expFile
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestLoadMatchesPyTorch compares every tensor and value of the archives written by
// testdata/gen/gen.py with what PyTorch itself reported for them.
func TestLoadMatchesPyTorch(t *testing.T) {
	exp := loadExpected(t)
	for _, file := range []string{"stage1.pt", "mixed.pt", "script.pt"} {
		t.Run(file, func(t *testing.T) {
			want := exp[file]
			tensors, values, err := Load(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			for name, w := range want.Tensors {
				got, ok := tensors[name]
				if !ok {
					t.Errorf("tensor %s missing (have %v)", name, keys(tensors))
					continue
				}
				checkTensor(t, name, got, w)
			}
			for name, w := range want.Values {
				g, ok := values[name]
				if !ok {
					t.Errorf("value %s missing", name)
					continue
				}
				if f, isNum := w.(float64); isNum {
					switch gv := g.(type) {
					case int64:
						g = float64(gv)
					case float64:
					default:
						t.Errorf("value %s = %v (%T), want number %v", name, g, g, w)
						continue
					}
					if g != f {
						t.Errorf("value %s = %v, want %v", name, g, f)
					}
					continue
				}
				if !reflect.DeepEqual(g, w) {
					t.Errorf("value %s = %#v, want %#v", name, g, w)
				}
			}
			if file != "script.pt" && len(tensors) != len(want.Tensors) {
				t.Errorf("%d tensors, want %d: %v", len(tensors), len(want.Tensors), keys(tensors))
			}
		})
	}
}

func checkTensor(t *testing.T, name string, got safetensors.Tensor, w expTensor) {
	t.Helper()
	if got.DType != w.DType || !reflect.DeepEqual(append([]int{}, got.Shape...), append([]int{}, w.Shape...)) {
		t.Errorf("%s: %s%v, want %s%v", name, got.DType, got.Shape, w.DType, w.Shape)
		return
	}
	if w.F32 != nil {
		if len(got.F32) != len(w.F32) {
			t.Errorf("%s: %d values, want %d", name, len(got.F32), len(w.F32))
			return
		}
		for i, s := range w.F32 {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float32bits(got.F32[i]) != math.Float32bits(float32(v)) {
				t.Errorf("%s[%d] = %v, want %v", name, i, got.F32[i], v)
				return
			}
		}
	}
	if w.I64 != nil && !reflect.DeepEqual(got.I64, w.I64) {
		t.Errorf("%s: %v, want %v", name, got.I64, w.I64)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestLoadRejects(t *testing.T) {
	stage1, err := os.ReadFile("testdata/stage1.pt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name  string
		path  string
		wants []string
	}{
		{"legacy", "testdata/legacy.pt", []string{"legacy.pt", "legacy"}},
		{"truncated", write("trunc.pt", stage1[:len(stage1)/2]), []string{"trunc.pt"}},
		{"not zip", write("text.pt", []byte("hello world")), []string{"text.pt", "not a zip"}},
		{"empty", write("empty.pt", nil), []string{"empty.pt", "too short"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load(tc.path)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error %q does not wrap ErrFormat", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestShortStorageNamesTensor rewrites stage1.pt with one storage record cut short and
// checks that the error names the tensor that views it.
func TestShortStorageNamesTensor(t *testing.T) {
	zr, err := zip.OpenReader("testdata/stage1.pt")
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	path := filepath.Join(t.TempDir(), "short.pt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	cut := ""
	for _, rec := range zr.File {
		rc, err := rec.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(rec.Name, "/data/") && cut == "" && len(b) > 8 {
			b, cut = b[:len(b)-8], rec.Name
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: rec.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, _, err = Load(path)
	if err == nil {
		t.Fatalf("Load succeeded with %s cut short", cut)
	}
	for _, w := range []string{"short.pt", `tensor "model_state_dict.`, "truncated"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}
