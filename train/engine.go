package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/fairclip/fairclip/model"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Weighting combines the classification and fairness losses: "fixed"
// (LambdaCls*L_cls + LambdaFair*L_fair) or "dynamic" (uncertainty weighting with
// learned log-variances s: exp(-s_c)*L_cls + s_c/2 + exp(-s_f)*L_fair + s_f/2, the
// original's DynamicFairnessLossWeighting).
type Weighting struct {
	Dynamic               bool
	LambdaCls, LambdaFair float64
	InitLogVarCls         float64
	InitLogVarFair        float64
}

// engine holds the compiled graphs of one model shape.
type engine struct {
	be        backends.Backend
	cfg       model.Config
	cls       ClsLoss
	weighting Weighting
	stage1    *model.Params
	params    *model.Params
	logVars   []float32 // [s_cls, s_fair] under dynamic weighting, else nil

	s1   *model.Stage1Exec
	s1ID string // model.Stage1Identity of stage1
	// fwdExec is the training-mode forward pass: z and the matrix products, which
	// stepExec replays (model.Products) so that a step computes the forward once.
	evalExec, fwdExec, stepExec *graph.Exec
	// held are the parameter tensors while holdParams keeps them fixed, else nil.
	held  []any
	bound paramBinding // the parameters as graph arguments without per-call copies
}

// holdParams makes evalRows reuse one copy of the parameters on the backend until the
// returned release runs; the parameters must not change in between (an evaluation pass).
// Without it every eval chunk copies all parameters to the backend again.
func (e *engine) holdParams() (release func()) {
	e.held = e.paramArgs()
	return func() { e.held = nil }
}

// paramArgs are the trainable parameters as graph arguments (see paramBinding).
func (e *engine) paramArgs() []any {
	e.bound.be = e.be
	return e.bound.args(e.params)
}

// evalChunk is the batch size of the eval graph; shorter chunks are padded so that
// the graph compiles once.
const evalChunk = 256

// predictRows is the number of samples predict (validation and tests) passes to the eval
// graph at once with one key token per sample: on the CPU a larger batch packs each
// weight matrix once for eight times as many rows. A row's outputs do not depend on the
// batch it runs in (kernels computes every row the same way), so the predictions equal
// those of evalChunk-sized batches.
const predictRows = 8 * evalChunk

// padRows is the batch the eval graph runs for n rows: evalChunk, or predictRows for
// longer inputs, so that at most two graphs compile.
func padRows(n int) int {
	if n <= evalChunk {
		return evalChunk
	}
	return predictRows
}

func newEngine(be backends.Backend, cfg model.Config, cls ClsLoss, w Weighting, stage1, params *model.Params) (*engine, error) {
	e := &engine{be: be, cfg: cfg, cls: cls, weighting: w, stage1: stage1, params: params}
	if w.Dynamic {
		e.logVars = []float32{float32(w.InitLogVarCls), float32(w.InitLogVarFair)}
	}
	np := len(params.List)
	var err error
	if e.s1, err = model.NewStage1Exec(be, cfg, stage1); err != nil {
		return nil, err
	}
	e.s1ID = model.Stage1Identity(stage1, cfg.Normalize)
	if e.evalExec, err = graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		b := &model.Builder{Cfg: cfg}
		o := b.Forward(model.Bind(params, in[:np]), b.CLIP(in[np]), in[np+1])
		outs := []*graph.Node{o.Logits, o.Gate, o.Prob}
		if o.AttnEntropy != nil { // fusion_keys: tokens
			outs = append(outs, o.AttnEntropy)
		}
		return outs
	}); err != nil {
		return nil, fmt.Errorf("eval graph: %w", err)
	}
	if e.fwdExec, err = graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		b := &model.Builder{Cfg: cfg, Train: true, RNG: in[np+2], Products: &model.Products{Record: true}}
		z := b.Forward(model.Bind(params, in[:np]), b.CLIP(in[np]), in[np+1]).Z
		return append([]*graph.Node{z}, b.Products.Recorded...)
	}); err != nil {
		return nil, fmt.Errorf("forward graph: %w", err)
	}
	nl := len(e.logVars)
	if e.stepExec, err = graph.NewExec(be, func(in []*graph.Node) []*graph.Node {
		return e.stepGraph(in[:np], in[np:np+nl], in[np+nl:], true)
	}); err != nil {
		return nil, fmt.Errorf("train step graph: %w", err)
	}
	return e, nil
}

// stepGraph is one training step's backward pass. rest holds clip, s1, one-hot
// labels, dL_fair/dz, L_fair, lambda_cls, lambda_fair, the RNG state and, with
// replay, the forward graph's matrix products, which the forward built here then
// replays instead of recomputing. Its outputs are L_cls, the gate [B], then the
// gradients of the weighted total with respect to params and logVars.
func (e *engine) stepGraph(params, logVars, rest []*graph.Node, replay bool) []*graph.Node {
	clip, s1, onehot, dz, fairValue, lamCls, lamFair, rng := rest[0], rest[1], rest[2], rest[3], rest[4], rest[5], rest[6], rest[7]
	b := &model.Builder{Cfg: e.cfg, Grad: true, Train: true, RNG: rng}
	if replay {
		b.Products = &model.Products{Replay: rest[8:]}
	}
	o := b.Forward(model.Bind(e.params, params), b.CLIP(clip), s1)
	if err := b.Products.Done(); err != nil {
		panic(err)
	}
	lcls := e.cls.Graph(o.Logits, onehot)
	// The fairness loss is computed outside the graph (Sinkhorn in Go); its gradient
	// enters as sum(z * stopgrad(dz)), whose gradient with respect to z is dz.
	fairLink := graph.ReduceAllSum(graph.Mul(o.Z, graph.StopGradient(dz)))
	var total *graph.Node
	if e.weighting.Dynamic {
		sc, sf := logVars[0], logVars[1]
		pc, pf := graph.Exp(graph.Neg(sc)), graph.Exp(graph.Neg(sf))
		total = graph.Add(graph.Mul(pc, lcls), graph.MulScalar(sc, 0.5))
		total = graph.Add(total, graph.Add(graph.Mul(pf, fairValue), graph.MulScalar(sf, 0.5)))
		total = graph.Add(total, graph.Mul(graph.StopGradient(pf), fairLink))
	} else {
		total = graph.Add(graph.Mul(lamCls, lcls), graph.Mul(lamFair, fairLink))
	}
	wrt := append(append([]*graph.Node{}, params...), logVars...)
	return append([]*graph.Node{lcls, o.Gate}, graph.Gradient(total, wrt...)...)
}

func paramArgs(ps *model.Params) []any {
	out := make([]any, 0, len(ps.List)+4)
	for _, t := range model.Tensors(ps) {
		out = append(out, t)
	}
	return out
}

func matrix(data []float32, rows, cols int) *tensors.Tensor {
	return tensors.FromFlatDataAndDimensions(data, rows, cols)
}

func scalarArg(v float64) *tensors.Tensor { return tensors.FromScalar(float32(v)) }

// stage1Rows computes s1 for n rows of clip into dst with the frozen Stage 1 graph
// that extraction also uses (fixed chunks of model.Stage1Chunk rows).
func (e *engine) stage1Rows(clip []float32, n int, dst []float32) error {
	return e.s1.Rows(clip, n, dst)
}

// evalOut is the eval graph's result for a chunk of rows.
type evalOut struct {
	logits []float32 // n*2
	gate   []float32
	prob   []float32
	// entropy is n*heads attention entropies under fusion_keys: tokens (else nil).
	entropy []float32
}

// evalRows runs the head in eval mode on n <= predictRows rows.
func (e *engine) evalRows(clip, s1 []float32, n int) (evalOut, error) {
	d := e.cfg.Dim
	rows := padRows(n)
	if n > rows {
		return evalOut{}, fmt.Errorf("eval graph: %d rows, at most %d at once", n, rows)
	}
	pc := make([]float32, rows*d)
	kt := e.cfg.KeyTokens() // s1 holds the attention keys (n x kt x d)
	ps := make([]float32, rows*kt*d)
	copy(pc, clip[:n*d])
	copy(ps, s1[:n*kt*d])
	params := e.held
	if params == nil {
		params = e.paramArgs()
	}
	args := append(slices.Clip(params), matrix(pc, rows, d), e.keysArg(ps, rows))
	out, err := e.evalExec.Exec(args...)
	if err != nil {
		return evalOut{}, fmt.Errorf("eval graph: %w", err)
	}
	eo := evalOut{
		logits: tensors.MustCopyFlatData[float32](out[0])[:2*n],
		gate:   tensors.MustCopyFlatData[float32](out[1])[:n],
		prob:   tensors.MustCopyFlatData[float32](out[2])[:n],
	}
	if len(out) > 3 {
		eo.entropy = tensors.MustCopyFlatData[float32](out[3])[:n*e.cfg.Heads]
	}
	return eo, nil
}

// rngState is the dropout RNG state of one training step: a function of the seed and
// the step's (epoch, batch), so that a resumed run draws the same masks.
func rngState(seed int64, epoch, batch int) (*tensors.Tensor, error) {
	return graph.RNGStateFromSeed(int64(mixSeed(seed, int64(epoch), int64(batch))))
}

func mixSeed(seed int64, parts ...int64) uint64 {
	h := uint64(seed) ^ 0x6a09e667f3bcc909
	for _, p := range parts {
		h ^= uint64(p)
		h += 0x9e3779b97f4a7c15
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9
		h = (h ^ (h >> 27)) * 0x94d049bb133111eb
		h ^= h >> 31
	}
	return h
}

// forward runs the training-mode forward pass: z (for the fairness loss) and the
// matrix products that backward replays.
func (e *engine) forward(clip, s1 []float32, n int, rng *tensors.Tensor) (z []float32, products []*tensors.Tensor, err error) {
	d := e.cfg.Dim
	args := append(e.paramArgs(), matrix(clip, n, d), e.keysArg(s1, n), rng)
	out, err := e.fwdExec.Exec(args...)
	if err != nil {
		return nil, nil, fmt.Errorf("forward graph: %w", err)
	}
	return tensors.MustCopyFlatData[float32](out[0]), out[1:], nil
}

// stepOut is one training step's result before the optimizer update.
type stepOut struct {
	clsLoss float64
	gate    []float32
	grads   [][]float32 // per parameter
	logGrad []float32   // dynamic weighting: d total / d [s_c, s_f]
}

// backward runs the training step graph on the products of forward with the same
// batch and rng.
func (e *engine) backward(clip, s1 []float32, labels []int, dz []float32, fairValue float64, rng *tensors.Tensor,
	products []*tensors.Tensor) (stepOut, error) {
	args := e.stepArgs(clip, s1, labels, dz, fairValue, rng)
	for _, p := range products {
		args = append(args, p)
	}
	out, err := e.stepExec.Exec(args...)
	if err != nil {
		return stepOut{}, fmt.Errorf("train step graph: %w", err)
	}
	return e.stepResult(out), nil
}

// stepArgs are the step graph's inputs before the replayed products.
func (e *engine) stepArgs(clip, s1 []float32, labels []int, dz []float32, fairValue float64, rng *tensors.Tensor) []any {
	d, n := e.cfg.Dim, len(labels)
	onehot := make([]float32, 2*n)
	for i, y := range labels {
		onehot[2*i+y] = 1
	}
	args := e.paramArgs()
	for _, v := range e.logVars {
		args = append(args, tensors.FromScalar(v))
	}
	return append(args, matrix(clip, n, d), e.keysArg(s1, n), matrix(onehot, n, 2), matrix(dz, n, d),
		scalarArg(fairValue), scalarArg(e.weighting.LambdaCls), scalarArg(e.weighting.LambdaFair), rng)
}

// stepResult reads the step graph's outputs.
func (e *engine) stepResult(out []*tensors.Tensor) stepOut {
	so := stepOut{
		clsLoss: float64(tensors.MustCopyFlatData[float32](out[0])[0]),
		gate:    tensors.MustCopyFlatData[float32](out[1]),
	}
	np := len(e.params.List)
	for i := range np {
		so.grads = append(so.grads, ownedFlat(e.be, out[2+i]))
	}
	for i := range e.logVars {
		so.logGrad = append(so.logGrad, tensors.MustCopyFlatData[float32](out[2+np+i])[0])
	}
	return so
}

// totalLoss is the weighted total of the two losses (the value the gradient is of).
func (e *engine) totalLoss(cls, fair float64) (total, lambdaFair, fairWeight float64) {
	if !e.weighting.Dynamic {
		w := e.weighting
		return w.LambdaCls*cls + w.LambdaFair*fair, w.LambdaFair, w.LambdaFair
	}
	sc, sf := float64(e.logVars[0]), float64(e.logVars[1])
	pc, pf := math.Exp(-sc), math.Exp(-sf)
	return pc*cls + sc/2 + pf*fair + sf/2, pf / (pc + pf + 1e-8), pf
}
