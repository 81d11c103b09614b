package train

import (
	"fmt"
	"slices"

	"github.com/fairclip/fairclip/model"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// s1Weights are the Stage 1 loss weights (config stage1.*).
type s1Weights struct {
	race, gender, similarity, fairness, pairwise float64
	labelSmoothing                               float64
}

// s1Engine holds the compiled Stage 1 graphs: eval (adapted feature, cosine and
// head logits without dropout), the training-mode forward pass (the adapted
// feature the Sinkhorn losses are computed on, and the forward's matrix products
// and dropout masks, model.Products) and the training step, which replays those
// products instead of computing the forward again.
type s1Engine struct {
	be     backends.Backend
	cfg    model.Config
	w      s1Weights
	params *model.Params
	bound  paramBinding // the parameters as graph arguments without per-call copies

	evalExec, fwdExec, stepExec *graph.Exec
}

func newS1Engine(be backends.Backend, cfg model.Config, w s1Weights, params *model.Params) (*s1Engine, error) {
	e := &s1Engine{be: be, cfg: cfg, w: w, params: params}
	np := len(params.List)
	var err error
	if e.evalExec, err = graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		b := &model.Builder{Cfg: cfg}
		o := b.Stage1Train(model.Bind(params, in[:np]), in[np], graph.ScalarOne(in[np].Graph(), in[np].DType()))
		return []*graph.Node{o.Adapted, o.Cosine, o.RaceLogits, o.GenderLogits}
	}); err != nil {
		return nil, fmt.Errorf("stage 1 eval graph: %w", err)
	}
	if e.fwdExec, err = graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		b := &model.Builder{Cfg: cfg, Train: true, RNG: in[np+1], Products: &model.Products{Record: true}}
		o := b.Stage1Train(model.Bind(params, in[:np]), in[np], graph.ScalarOne(in[np].Graph(), in[np].DType()))
		return append([]*graph.Node{o.Adapted}, b.Products.Recorded...)
	}); err != nil {
		return nil, fmt.Errorf("stage 1 forward graph: %w", err)
	}
	if e.stepExec, err = graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		return e.stepGraph(in[:np], in[np:])
	}); err != nil {
		return nil, fmt.Errorf("stage 1 train step graph: %w", err)
	}
	return e, nil
}

// crossEntropy is the mean cross-entropy of logits [B, K] against one-hot labels
// with label smoothing eps (PyTorch's rule: (1-eps)*nll + eps/K * sum_k -logp_k).
func crossEntropy(logits, onehot *graph.Node, eps float64) *graph.Node {
	logp := graph.LogSoftmax(logits, -1)
	batch := float64(logits.Shape().Dimensions[0])
	k := float64(logits.Shape().Dimensions[1])
	nll := graph.DivScalar(graph.Neg(graph.ReduceAllSum(graph.Mul(logp, onehot))), batch)
	if eps == 0 {
		return nll
	}
	smooth := graph.DivScalar(graph.Neg(graph.ReduceAllSum(logp)), batch*k)
	return graph.Add(graph.MulScalar(nll, 1-eps), graph.MulScalar(smooth, eps))
}

// stepGraph: rest holds clip [B, D], race one-hot [B, 4], gender one-hot [B, 2],
// dL_fair/d adapted [B, D] (the weighted Sinkhorn gradients, computed in Go), the
// reversal strength, the RNG state and the forward graph's recorded values, which
// the forward built here replays. Outputs: race CE, gender CE, mean cosine, race
// logits, gender logits, then the gradients of the weighted total.
func (e *s1Engine) stepGraph(params, rest []*graph.Node) []*graph.Node {
	clip, raceHot, genderHot, dz, lambda, rng := rest[0], rest[1], rest[2], rest[3], rest[4], rest[5]
	b := &model.Builder{Cfg: e.cfg, Grad: true, Train: true, RNG: rng, Products: &model.Products{Replay: rest[6:]}}
	o := b.Stage1Train(model.Bind(e.params, params), clip, lambda)
	if err := b.Products.Done(); err != nil {
		panic(err)
	}
	ceRace := crossEntropy(o.RaceLogits, raceHot, e.w.labelSmoothing)
	ceGender := crossEntropy(o.GenderLogits, genderHot, e.w.labelSmoothing)
	cos := graph.ReduceAllMean(o.Cosine)
	total := graph.Add(graph.MulScalar(ceRace, e.w.race), graph.MulScalar(ceGender, e.w.gender))
	total = graph.Add(total, graph.MulScalar(graph.OneMinus(cos), e.w.similarity))
	// The Sinkhorn losses enter through sum(adapted * stopgrad(dz)).
	total = graph.Add(total, graph.ReduceAllSum(graph.Mul(o.Adapted, graph.StopGradient(dz))))
	return append([]*graph.Node{ceRace, ceGender, cos, o.RaceLogits, o.GenderLogits}, graph.Gradient(total, params...)...)
}

// s1Eval are eval-mode outputs for rows of a split.
type s1Eval struct {
	adapted      []float32 // n*D
	cosine       []float32
	raceLogits   []float32 // n*4
	genderLogits []float32 // n*2
}

// paramArgs are the parameters as graph arguments (see paramBinding).
func (e *s1Engine) paramArgs() []any {
	e.bound.be = e.be
	return e.bound.args(e.params)
}

// paramData returns the parameters' values for the optimizer to update in place: on
// fairclip's CPU backend these are the shared buffers the graphs read (bound here
// first, so that the slices stay those of every later step).
func (e *s1Engine) paramData() [][]float32 {
	e.paramArgs()
	out := make([][]float32, len(e.params.List))
	for i, p := range e.params.List {
		out[i] = p.Data
	}
	return out
}

// evalRows runs the eval graph on n <= evalChunk rows of clip.
func (e *s1Engine) evalRows(clip []float32, n int, out *s1Eval) error {
	d := e.cfg.Dim
	padded := clip[:n*d]
	if n < evalChunk {
		padded = make([]float32, evalChunk*d)
		copy(padded, clip[:n*d])
	}
	args := append(slices.Clip(e.paramArgs()), matrix(padded, evalChunk, d))
	res, err := e.evalExec.Exec(args...)
	if err != nil {
		return fmt.Errorf("stage 1 eval graph: %w", err)
	}
	out.adapted = append(out.adapted, ownedFlat(e.be, res[0])[:n*d]...)
	out.cosine = append(out.cosine, ownedFlat(e.be, res[1])[:n]...)
	out.raceLogits = append(out.raceLogits, ownedFlat(e.be, res[2])[:n*model.NumRaces]...)
	out.genderLogits = append(out.genderLogits, ownedFlat(e.be, res[3])[:n*model.NumGenders]...)
	return nil
}

// forward runs the training-mode forward pass (dropout from rng): the adapted
// features and the recorded values that backward replays.
func (e *s1Engine) forward(clip []float32, n int, rng *tensors.Tensor) ([]float32, []*tensors.Tensor, error) {
	args := append(slices.Clip(e.paramArgs()), matrix(clip, n, e.cfg.Dim), rng)
	res, err := e.fwdExec.Exec(args...)
	if err != nil {
		return nil, nil, fmt.Errorf("stage 1 forward graph: %w", err)
	}
	return ownedFlat(e.be, res[0]), res[1:], nil
}

// s1StepOut is one training step's graph result.
type s1StepOut struct {
	ceRace, ceGender, cosine float64
	raceAcc, genderAcc       float64
	grads                    [][]float32
}

// backward runs the training step graph on the batch and rng of forward, replaying
// its recorded values.
func (e *s1Engine) backward(clip []float32, races, genders []int, dz []float32, lambda float64, rng *tensors.Tensor,
	recorded []*tensors.Tensor) (s1StepOut, error) {
	n, d := len(races), e.cfg.Dim
	rh := make([]float32, n*model.NumRaces)
	gh := make([]float32, n*model.NumGenders)
	for i := range n {
		rh[i*model.NumRaces+races[i]] = 1
		gh[i*model.NumGenders+genders[i]] = 1
	}
	args := append(slices.Clip(e.paramArgs()), matrix(clip, n, d), matrix(rh, n, model.NumRaces), matrix(gh, n, model.NumGenders),
		matrix(dz, n, d), scalarArg(lambda), rng)
	for _, t := range recorded {
		args = append(args, t)
	}
	res, err := e.stepExec.Exec(args...)
	if err != nil {
		return s1StepOut{}, fmt.Errorf("stage 1 train step graph: %w", err)
	}
	scalar := func(t *tensors.Tensor) float64 { return float64(ownedFlat(e.be, t)[0]) }
	so := s1StepOut{ceRace: scalar(res[0]), ceGender: scalar(res[1]), cosine: scalar(res[2])}
	so.raceAcc = accuracy(ownedFlat(e.be, res[3]), races, model.NumRaces)
	so.genderAcc = accuracy(ownedFlat(e.be, res[4]), genders, model.NumGenders)
	so.grads = make([][]float32, len(e.params.List))
	for i := range so.grads {
		so.grads[i] = ownedFlat(e.be, res[5+i])
	}
	return so, nil
}

// accuracy is the share of rows whose argmax over k logits equals the label.
func accuracy(logits []float32, labels []int, k int) float64 {
	if len(labels) == 0 {
		return 0
	}
	hit := 0
	for i, y := range labels {
		best := 0
		for c := 1; c < k; c++ {
			if logits[i*k+c] > logits[i*k+best] {
				best = c
			}
		}
		if best == y {
			hit++
		}
	}
	return float64(hit) / float64(len(labels))
}
