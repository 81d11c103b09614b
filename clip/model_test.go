package clip

import (
	"strings"
	"testing"

	"github.com/fairclip/fairclip/backend"
)

func TestModelRejectsBadOptions(t *testing.T) {
	b, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	w, err := RandomWeights(tinyArch, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(w *Weights)
		layers []int
		want   string
	}{
		{"layer too high", nil, []int{4}, "layer 4 out of range"},
		{"negative layer", nil, []int{-1}, "layer -1 out of range"},
		{"short tensor", func(w *Weights) { w.Tensors["proj"] = w.Tensors["proj"][:5] }, nil, `"proj" has 5 values`},
		{"missing tensor", func(w *Weights) { delete(w.Tensors, "ln_pre.bias") }, nil, "needs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Weights{Arch: w.Arch, Tensors: map[string][]float32{}}
			for k, v := range w.Tensors {
				c.Tensors[k] = v
			}
			if tc.mutate != nil {
				tc.mutate(c)
			}
			_, err := NewModel(b, c, ModelOptions{Layers: tc.layers})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want mention of %q", err, tc.want)
			}
		})
	}
}
