package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fairclip/fairclip/backend"
	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// TestStepComputesForwardOnce checks that a training step computes the head's
// forward pass once: the step graph replays the forward graph's matrix products and
// dropout masks, so it draws no random bits and holds exactly one product fewer per
// recorded product than a graph that recomputes the forward (the step graph before
// model.Products), and its losses, gate and gradients equal that graph's bit for bit
// (dropout on, so the replayed masks must be the ones that graph draws).
func TestStepComputesForwardOnce(t *testing.T) {
	be, err := backend.New("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		keys    string
		dynamic bool
	}{{"cls/fixed", "", false}, {"cls/dynamic", "", true}, {"tokens/fixed", model.KeysTokens, false}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := model.Config{Dim: 16, Stage1Hidden: 8, Stage2Hidden: 12, Heads: 4, ClassifierHidden: []int{8},
				NumClasses: 2, Dropout: 0.3, GateInitBias: 1, Normalize: true, Keys: tc.keys}
			if tc.keys == model.KeysTokens {
				cfg.Tokens = 2
			}
			params, err := model.NewStage2(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			w := Weighting{LambdaCls: 1, LambdaFair: 0.7, Dynamic: tc.dynamic, InitLogVarCls: 0.2, InitLogVarFair: -0.4}
			cls := ClsLoss{Type: "cross_entropy", LabelSmoothing: 0.1}
			e, err := newEngine(be, cfg, cls, w, model.NewStage1(cfg, 3), params)
			if err != nil {
				t.Fatal(err)
			}
			n, d, kt := 20, cfg.Dim, cfg.KeyTokens()
			r := rand.New(rand.NewPCG(5, 6))
			randn := func(k int) []float32 {
				v := make([]float32, k)
				for i := range v {
					v[i] = float32(r.NormFloat64())
				}
				return v
			}
			clip, s1, dz := randn(n*d), randn(n*kt*d), randn(n*d)
			labels := make([]int, n)
			for i := range labels {
				labels[i] = i % 2
			}
			rng, err := rngState(11, 2, 3)
			if err != nil {
				t.Fatal(err)
			}
			_, products, err := e.forward(clip, s1, n, rng)
			if err != nil {
				t.Fatal(err)
			}
			if len(products) == 0 {
				t.Fatal("the forward graph recorded no matrix products")
			}
			args := e.stepArgs(clip, s1, labels, dz, 0.25, rng)
			replayArgs := append(append([]any{}, args...), anySlice(products)...)
			gotOut, stepG, err := e.stepExec.ExecWithGraphOnDevice(0, replayArgs...)
			if err != nil {
				t.Fatal(err)
			}
			np, nl := len(params.List), len(e.logVars)
			full, err := graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
				return e.stepGraph(in[:np], in[np:np+nl], in[np+nl:], false)
			})
			if err != nil {
				t.Fatal(err)
			}
			wantOut, fullG, err := full.ExecWithGraphOnDevice(0, args...)
			if err != nil {
				t.Fatal(err)
			}
			// The forward records its products and its dropout masks (one per random draw).
			masks := countNodes(fullG, graph.NodeTypeRNGBitGenerator)
			if masks == 0 {
				t.Fatal("the recomputing graph draws no dropout masks (dropout is 0.3)")
			}
			if got := countNodes(stepG, graph.NodeTypeRNGBitGenerator); got != 0 {
				t.Errorf("step graph draws random bits %d times, want 0 (its dropout masks are replayed)", got)
			}
			replayed := len(products) - masks
			if got, want := countNodes(stepG, graph.NodeTypeDotGeneral), countNodes(fullG, graph.NodeTypeDotGeneral)-replayed; got != want {
				t.Errorf("step graph has %d matrix products, want %d (the recomputing graph's %d less the %d replayed)",
					got, want, countNodes(fullG, graph.NodeTypeDotGeneral), replayed)
			}
			got, want := e.stepResult(gotOut), e.stepResult(wantOut)
			same := func(what string, a, b []float32) {
				if len(a) != len(b) {
					t.Fatalf("%s: %d values, want %d", what, len(a), len(b))
				}
				for i := range a {
					if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
						t.Fatalf("%s[%d] = %v, recomputing graph %v", what, i, a[i], b[i])
					}
				}
			}
			same("classification loss", []float32{float32(got.clsLoss)}, []float32{float32(want.clsLoss)})
			same("gate", got.gate, want.gate)
			for i := range got.grads {
				same("grad "+params.List[i].Name, got.grads[i], want.grads[i])
			}
			same("log-variance grads", got.logGrad, want.logGrad)
		})
	}
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// countNodes counts the nodes of a type (DotGeneral: matrix products) in a graph.
func countNodes(g *graph.Graph, typ graph.NodeType) int {
	n := 0
	for _, node := range g.Nodes() {
		if node.Type() == typ {
			n++
		}
	}
	return n
}

// BenchmarkStepForward compares a training step's graphs on the default head (768-d,
// batch 256, dropout on): "replay" is what trainStep runs (the forward graph, then the
// step graph replaying its products); "recompute" runs the forward graph and then a step
// graph that computes the forward again (the step before model.Products). The fairness
// loss itself (Go, outside the graphs) is left out: dz is random.
//
//	go test -run '^$' -bench StepForward -benchtime 5x ./train/
func BenchmarkStepForward(b *testing.B) {
	be, err := backend.New("")
	if err != nil {
		b.Fatal(err)
	}
	cfg := ModelConfig(config.Default().Model)
	params, err := model.NewStage2(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	e, err := newEngine(be, cfg, ClsLoss{Type: "cross_entropy"}, Weighting{LambdaCls: 1, LambdaFair: 0.05},
		model.NewStage1(cfg, 1), params)
	if err != nil {
		b.Fatal(err)
	}
	n, d := 256, cfg.Dim
	r := rand.New(rand.NewPCG(1, 2))
	randn := func(k int) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	clip, s1, dz := randn(n*d), randn(n*cfg.KeyTokens()*d), randn(n*d)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 2
	}
	rng, err := rngState(1, 1, 1)
	if err != nil {
		b.Fatal(err)
	}
	np, nl := len(params.List), len(e.logVars)
	full, err := graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		return e.stepGraph(in[:np], in[np:np+nl], in[np+nl:], false)
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"replay", "recompute"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				_, products, err := e.forward(clip, s1, n, rng)
				if err != nil {
					b.Fatal(err)
				}
				if mode == "replay" {
					_, err = e.backward(clip, s1, labels, dz, 0.1, rng, products)
				} else {
					_, err = full.Exec(e.stepArgs(clip, s1, labels, dz, 0.1, rng)...)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
