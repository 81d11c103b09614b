package backend

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		spec, want, errPart string
	}{
		{"", CPU, ""},
		{"go", DefaultGo, ""},
		{"go:parallelism=2", "go:parallelism=2", ""},
		{"cpu", CPU, ""},
		{" cpu ", CPU, ""},
		{"cpu:x", "", "unknown"},
		{"xla:/opt/pjrt/plugin.so", "xla:/opt/pjrt/plugin.so", map[bool]string{true: "", false: "built without"}[xlaAvailable]},
		{"xla", "", "absolute path"},
		{"xla:cuda", "", "absolute path"},
		{"xla:rel/plugin.so", "", "absolute path"},
		{"tpu", "", "unknown"},
	}
	for _, tc := range tests {
		got, err := Normalize(tc.spec)
		if tc.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("Normalize(%q) error = %v, want one containing %q", tc.spec, err, tc.errPart)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
}

func TestResolveUsesEnvOnlyWhenNotExplicit(t *testing.T) {
	env := func(string) string { return "go:parallelism=1" }
	if got, _ := Resolve("", env); got != "go:parallelism=1" {
		t.Errorf("Resolve from env = %q", got)
	}
	if got, _ := Resolve("go", env); got != DefaultGo {
		t.Errorf("explicit spec should win over env, got %q", got)
	}
	if _, err := Resolve("", func(string) string { return "xla" }); err == nil {
		t.Error("GOMLX_BACKEND=xla (would download a plugin) must be rejected")
	}
}

// TestTrainingStepDoesNotDeadlock is the regression test for the deadlock seen with the
// parallel op executor on 2 cores: a training step with several independent matmul
// branches and their gradients, executed repeatedly on every built-in backend
// (backend/cpu repeats it at GOMAXPROCS 1, 2 and 8).
func TestTrainingStepDoesNotDeadlock(t *testing.T) {
	for _, spec := range Builtin() {
		t.Run(spec, func(t *testing.T) { trainingStepDoesNotDeadlock(t, spec) })
	}
}

func trainingStepDoesNotDeadlock(t *testing.T, spec string) {
	b, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Finalize()

	const batch, width = 32, 64
	// Three independent matmul chains whose gradients can run concurrently.
	step := func(x, w1, w2, w3 *graph.Node) []*graph.Node {
		ws := []*graph.Node{w1, w2, w3}
		var loss *graph.Node
		for _, wi := range ws {
			h := graph.Tanh(graph.MatMul(x, wi))
			h = graph.MatMul(h, wi)
			l := graph.ReduceAllSum(graph.Square(h))
			if loss == nil {
				loss = l
			} else {
				loss = graph.Add(loss, l)
			}
		}
		grads := graph.Gradient(loss, ws...)
		for i := range ws {
			ws[i] = graph.Sub(ws[i], graph.MulScalar(grads[i], 1e-4))
		}
		return []*graph.Node{loss, ws[0], ws[1], ws[2]}
	}
	exec, err := graph.NewExec(b, step)
	if err != nil {
		t.Fatal(err)
	}
	xs := make([]float32, batch*width)
	for i := range xs {
		xs[i] = float32(math.Sin(float64(i)))
	}
	x := tensors.FromFlatDataAndDimensions(xs, batch, width)
	w := make([]*tensors.Tensor, 3)
	for k := range w {
		ws := make([]float32, width*width)
		for i := range ws {
			ws[i] = float32(math.Cos(float64(i*(k+1)))) * 0.05
		}
		w[k] = tensors.FromFlatDataAndDimensions(ws, width, width)
	}

	done := make(chan []float32, 1)
	go func() {
		var losses []float32
		for i := 0; i < 20; i++ {
			out, err := exec.Exec(x, w[0], w[1], w[2])
			if err != nil {
				t.Error(err)
				break
			}
			losses = append(losses, out[0].Value().(float32))
			copy(w, out[1:])
		}
		done <- losses
	}()
	select {
	case losses := <-done:
		if len(losses) != 20 {
			t.Fatalf("ran %d steps, want 20", len(losses))
		}
		if !(losses[19] < losses[0]) {
			t.Errorf("loss did not decrease over 20 gradient steps: %v -> %v", losses[0], losses[19])
		}
	case <-time.After(5 * time.Minute):
		t.Fatal("training step did not finish within 5 minutes: executor deadlock")
	}
}
