package cpu

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/notimplemented"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// opRNGState is the backend-internal op computing RNGBitGenerator's new state (the values
// are a separate node, so every node has one output).
const opRNGState = backends.OpType(-1)

// node is one recorded operation: its type, inputs, output shape and parameters.
type node struct {
	id     int
	op     backends.OpType
	inputs []*node
	shape  shapes.Shape

	axes     []int // reductions, transpose permutation, broadcast axes, reverse
	starts   []int // slice
	limits   []int
	strides  []int
	pads     []backends.PadAxis
	dot      *dotParams
	constant any // constant's flat data
	param    int // parameter index
	name     string
	isMin    bool
	rngWords int // values' 32-bit words drawn by an RNGBitGenerator
}

// Builder records a graph's ops for Compile. It implements backends.Builder.
type Builder struct {
	notimplemented.Builder
	backend  *Backend
	name     string
	nodes    []*node
	params   []*node
	compiled bool
}

var _ backends.Builder = (*Builder)(nil)

// implemented lists the ops the backend implements (for Capabilities).
var implemented = map[backends.OpType]bool{}

func init() {
	for _, op := range []backends.OpType{
		backends.OpTypeParameter, backends.OpTypeConstant, backends.OpTypeIdentity, backends.OpTypeReshape,
		backends.OpTypeTranspose, backends.OpTypeBroadcast, backends.OpTypeBroadcastInDim, backends.OpTypeSlice,
		backends.OpTypePad, backends.OpTypeConcatenate, backends.OpTypeReverse, backends.OpTypeIota,
		backends.OpTypeConvertDType, backends.OpTypeWhere, backends.OpTypeClamp, backends.OpTypeDotGeneral,
		backends.OpTypeReduceSum, backends.OpTypeReduceMax, backends.OpTypeReduceMin, backends.OpTypeReduceProduct,
		backends.OpTypeArgMinMax, backends.OpTypeRNGBitGenerator, backends.OpTypeIsFinite, backends.OpTypeIsNaN,
	} {
		implemented[op] = true
	}
	for op := range unaryOps {
		implemented[op] = true
	}
	for op := range binaryOps {
		implemented[op] = true
	}
	for op := range compareOps {
		implemented[op] = true
	}
}

// Name implements backends.Builder.
func (b *Builder) Name() string { return b.name }

func (b *Builder) add(n *node) *node {
	n.id = len(b.nodes)
	b.nodes = append(b.nodes, n)
	return n
}

func (b *Builder) in(op backends.OpType, ops ...backends.Op) ([]*node, error) {
	if b.compiled {
		return nil, fmt.Errorf("backend %q: builder %q: %s after Compile", Name, b.name, op)
	}
	ns := make([]*node, len(ops))
	for i, o := range ops {
		n, ok := o.(*node)
		if !ok || n == nil {
			return nil, fmt.Errorf("backend %q: %s: operand #%d of type %T is not an op of this backend", Name, op, i, o)
		}
		if n.id >= len(b.nodes) || b.nodes[n.id] != n {
			return nil, fmt.Errorf("backend %q: %s: operand #%d belongs to another builder", Name, op, i)
		}
		ns[i] = n
	}
	return ns, nil
}

func wrapErr(op backends.OpType, err error) error {
	return fmt.Errorf("backend %q: %s: %w", Name, op, err)
}

// OpShape implements backends.Builder.
func (b *Builder) OpShape(op backends.Op) (shapes.Shape, error) {
	ns, err := b.in(backends.OpTypeInvalid, op)
	if err != nil {
		return shapes.Invalid(), err
	}
	return ns[0].shape, nil
}

// Parameter implements backends.Builder.
func (b *Builder) Parameter(name string, shape shapes.Shape, sharding *backends.ShardingSpec) (backends.Op, error) {
	if sharding != nil {
		return nil, fmt.Errorf("backend %q: parameter %q: sharding is not supported", Name, name)
	}
	if _, err := makeFlat(shape.DType, 0); err != nil {
		return nil, fmt.Errorf("parameter %q: %w", name, err)
	}
	n := b.add(&node{op: backends.OpTypeParameter, shape: shape.Clone(), name: name, param: len(b.params)})
	b.params = append(b.params, n)
	return n, nil
}

// Constant implements backends.Builder.
func (b *Builder) Constant(flat any, dims ...int) (backends.Op, error) {
	elem := reflectElem(flat)
	if elem == nil {
		return nil, fmt.Errorf("backend %q: Constant: unsupported flat data %T", Name, flat)
	}
	dt := dtypes.FromAny(elem)
	shape := shapes.Make(dt, dims...)
	if flatLen(flat) != shape.Size() {
		return nil, fmt.Errorf("backend %q: Constant: %T of %d values for dimensions %v", Name, flat, flatLen(flat), dims)
	}
	c, err := makeFlat(dt, shape.Size())
	if err != nil {
		return nil, err
	}
	copyFlat(c, flat)
	return b.add(&node{op: backends.OpTypeConstant, shape: shape, constant: c}), nil
}

// Identity implements backends.Builder.
func (b *Builder) Identity(x backends.Op) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeIdentity, x)
	if err != nil {
		return nil, err
	}
	return b.add(&node{op: backends.OpTypeIdentity, inputs: ns, shape: ns[0].shape}), nil
}

func (b *Builder) unary(op backends.OpType, x backends.Op) (backends.Op, error) {
	ns, err := b.in(op, x)
	if err != nil {
		return nil, err
	}
	var shape shapes.Shape
	switch op {
	case backends.OpTypeIsNaN, backends.OpTypeIsFinite:
		if !ns[0].shape.DType.IsFloat() {
			return nil, wrapErr(op, fmt.Errorf("needs a float operand, got %s", ns[0].shape))
		}
		shape = ns[0].shape.Clone()
		shape.DType = dtypes.Bool
	default:
		shape, err = shapeinference.UnaryOp(op, ns[0].shape)
		if err != nil {
			return nil, wrapErr(op, err)
		}
	}
	if err := checkUnary(op, shape.DType, ns[0].shape.DType); err != nil {
		return nil, err
	}
	return b.add(&node{op: op, inputs: ns, shape: shape}), nil
}

func (b *Builder) binary(op backends.OpType, lhs, rhs backends.Op) (backends.Op, error) {
	ns, err := b.in(op, lhs, rhs)
	if err != nil {
		return nil, err
	}
	var shape shapes.Shape
	if compareOps[op] {
		shape, err = shapeinference.ComparisonOp(op, ns[0].shape, ns[1].shape)
	} else {
		shape, err = shapeinference.BinaryOp(op, ns[0].shape, ns[1].shape)
	}
	if err != nil {
		return nil, wrapErr(op, err)
	}
	if err := checkBinary(op, ns[0].shape.DType); err != nil {
		return nil, err
	}
	return b.add(&node{op: op, inputs: ns, shape: shape}), nil
}

// Unary ops.

func (b *Builder) Abs(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeAbs, x) }
func (b *Builder) Neg(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeNeg, x) }
func (b *Builder) Sign(x backends.Op) (backends.Op, error)  { return b.unary(backends.OpTypeSign, x) }
func (b *Builder) Exp(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeExp, x) }
func (b *Builder) Expm1(x backends.Op) (backends.Op, error) { return b.unary(backends.OpTypeExpm1, x) }
func (b *Builder) Log(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeLog, x) }
func (b *Builder) Log1p(x backends.Op) (backends.Op, error) { return b.unary(backends.OpTypeLog1p, x) }
func (b *Builder) Sqrt(x backends.Op) (backends.Op, error)  { return b.unary(backends.OpTypeSqrt, x) }
func (b *Builder) Rsqrt(x backends.Op) (backends.Op, error) { return b.unary(backends.OpTypeRsqrt, x) }
func (b *Builder) Tanh(x backends.Op) (backends.Op, error)  { return b.unary(backends.OpTypeTanh, x) }
func (b *Builder) Logistic(x backends.Op) (backends.Op, error) {
	return b.unary(backends.OpTypeLogistic, x)
}
func (b *Builder) Erf(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeErf, x) }
func (b *Builder) Sin(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeSin, x) }
func (b *Builder) Cos(x backends.Op) (backends.Op, error)   { return b.unary(backends.OpTypeCos, x) }
func (b *Builder) Floor(x backends.Op) (backends.Op, error) { return b.unary(backends.OpTypeFloor, x) }
func (b *Builder) Ceil(x backends.Op) (backends.Op, error)  { return b.unary(backends.OpTypeCeil, x) }
func (b *Builder) Round(x backends.Op) (backends.Op, error) { return b.unary(backends.OpTypeRound, x) }
func (b *Builder) IsNaN(x backends.Op) (backends.Op, error) { return b.unary(backends.OpTypeIsNaN, x) }
func (b *Builder) IsFinite(x backends.Op) (backends.Op, error) {
	return b.unary(backends.OpTypeIsFinite, x)
}
func (b *Builder) LogicalNot(x backends.Op) (backends.Op, error) {
	return b.unary(backends.OpTypeLogicalNot, x)
}
func (b *Builder) BitwiseNot(x backends.Op) (backends.Op, error) {
	return b.unary(backends.OpTypeBitwiseNot, x)
}

// Binary ops.

func (b *Builder) Add(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeAdd, l, r)
}
func (b *Builder) Sub(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeSub, l, r)
}
func (b *Builder) Mul(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeMul, l, r)
}
func (b *Builder) Div(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeDiv, l, r)
}
func (b *Builder) Pow(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypePow, l, r)
}
func (b *Builder) Rem(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeRem, l, r)
}
func (b *Builder) Max(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeMax, l, r)
}
func (b *Builder) Min(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeMin, l, r)
}
func (b *Builder) LogicalAnd(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeLogicalAnd, l, r)
}
func (b *Builder) LogicalOr(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeLogicalOr, l, r)
}
func (b *Builder) LogicalXor(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeLogicalXor, l, r)
}
func (b *Builder) BitwiseAnd(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeBitwiseAnd, l, r)
}
func (b *Builder) BitwiseOr(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeBitwiseOr, l, r)
}
func (b *Builder) BitwiseXor(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeBitwiseXor, l, r)
}
func (b *Builder) Equal(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeEqual, l, r)
}
func (b *Builder) NotEqual(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeNotEqual, l, r)
}
func (b *Builder) GreaterThan(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeGreaterThan, l, r)
}
func (b *Builder) GreaterOrEqual(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeGreaterOrEqual, l, r)
}
func (b *Builder) LessThan(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeLessThan, l, r)
}
func (b *Builder) LessOrEqual(l, r backends.Op) (backends.Op, error) {
	return b.binary(backends.OpTypeLessOrEqual, l, r)
}

// Where implements backends.Builder.
func (b *Builder) Where(cond, onTrue, onFalse backends.Op) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeWhere, cond, onTrue, onFalse)
	if err != nil {
		return nil, err
	}
	shape, err := shapeinference.WhereOp(ns[0].shape, ns[1].shape, ns[2].shape)
	if err != nil {
		return nil, wrapErr(backends.OpTypeWhere, err)
	}
	return b.add(&node{op: backends.OpTypeWhere, inputs: ns, shape: shape}), nil
}

// Clamp implements backends.Builder: min and max are scalars or x's shape.
func (b *Builder) Clamp(lo, x, hi backends.Op) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeClamp, lo, x, hi)
	if err != nil {
		return nil, err
	}
	for _, i := range []int{0, 2} {
		s := ns[i].shape
		if s.DType != ns[1].shape.DType || (!s.IsScalar() && !s.Equal(ns[1].shape)) {
			return nil, wrapErr(backends.OpTypeClamp, fmt.Errorf("bound %s does not match %s", s, ns[1].shape))
		}
	}
	return b.add(&node{op: backends.OpTypeClamp, inputs: ns, shape: ns[1].shape}), nil
}

// ConvertDType implements backends.Builder.
func (b *Builder) ConvertDType(x backends.Op, dtype dtypes.DType) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeConvertDType, x)
	if err != nil {
		return nil, err
	}
	if _, err := makeFlat(dtype, 0); err != nil {
		return nil, wrapErr(backends.OpTypeConvertDType, err)
	}
	shape := ns[0].shape.Clone()
	shape.DType = dtype
	return b.add(&node{op: backends.OpTypeConvertDType, inputs: ns, shape: shape}), nil
}

// Reshape implements backends.Builder (a view: no data is copied).
func (b *Builder) Reshape(x backends.Op, dims ...int) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeReshape, x)
	if err != nil {
		return nil, err
	}
	shape, err := shapeinference.ReshapeOp(ns[0].shape, dims)
	if err != nil {
		return nil, wrapErr(backends.OpTypeReshape, err)
	}
	return b.add(&node{op: backends.OpTypeReshape, inputs: ns, shape: shape}), nil
}

// Transpose implements backends.Builder.
func (b *Builder) Transpose(x backends.Op, perm ...int) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeTranspose, x)
	if err != nil {
		return nil, err
	}
	shape, err := shapeinference.TransposeOp(ns[0].shape, perm)
	if err != nil {
		return nil, wrapErr(backends.OpTypeTranspose, err)
	}
	return b.add(&node{op: backends.OpTypeTranspose, inputs: ns, shape: shape, axes: slices.Clone(perm)}), nil
}

// Broadcast implements backends.Builder: prefixes x's dimensions with prefixDims.
func (b *Builder) Broadcast(x backends.Op, prefixDims ...int) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeBroadcast, x)
	if err != nil {
		return nil, err
	}
	shape, err := shapeinference.BroadcastOp(ns[0].shape, prefixDims)
	if err != nil {
		return nil, wrapErr(backends.OpTypeBroadcast, err)
	}
	axes := make([]int, ns[0].shape.Rank())
	for i := range axes {
		axes[i] = len(prefixDims) + i
	}
	return b.broadcast(&node{op: backends.OpTypeBroadcastInDim, inputs: ns, shape: shape, axes: axes})
}

// BroadcastInDim implements backends.Builder.
func (b *Builder) BroadcastInDim(x backends.Op, outputShape shapes.Shape, broadcastAxes []int) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeBroadcastInDim, x)
	if err != nil {
		return nil, err
	}
	if err := shapeinference.BroadcastInDimOp(ns[0].shape, outputShape, broadcastAxes); err != nil {
		return nil, wrapErr(backends.OpTypeBroadcastInDim, err)
	}
	return b.broadcast(&node{op: backends.OpTypeBroadcastInDim, inputs: ns, shape: outputShape.Clone(), axes: slices.Clone(broadcastAxes)})
}

// broadcast adds broadcast node x, folded into a constant when its operand is one:
// autodiff broadcasts constants (zeros, ones) to weight and activation shapes, which
// would otherwise be rebuilt on every execution. Constants are never written in place,
// so the folded value is computed once, at build time. Folded constants live as long as
// the compiled graph, so only those up to maxFoldedBroadcast values are folded.
const maxFoldedBroadcast = 1 << 20

func (b *Builder) broadcast(x *node) (backends.Op, error) {
	if in := x.inputs[0]; in.op == backends.OpTypeConstant && x.shape.Size() <= maxFoldedBroadcast {
		out, err := makeFlat(x.shape.DType, x.shape.Size())
		if err != nil {
			return nil, err
		}
		if err := runLayout(x, out, []any{in.constant}); err != nil {
			return nil, fmt.Errorf("backend %q: folding a broadcast of a constant to %s: %w", Name, x.shape, err)
		}
		return b.add(&node{op: backends.OpTypeConstant, shape: x.shape, constant: out}), nil
	}
	return b.add(x), nil
}

// Slice implements backends.Builder.
func (b *Builder) Slice(x backends.Op, starts, limits, strides []int) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeSlice, x)
	if err != nil {
		return nil, err
	}
	shape, err := shapeinference.SliceOp(ns[0].shape, starts, limits, strides)
	if err != nil {
		return nil, wrapErr(backends.OpTypeSlice, err)
	}
	st := slices.Clone(strides)
	if len(st) == 0 {
		st = make([]int, len(starts))
		for i := range st {
			st[i] = 1
		}
	}
	return b.add(&node{op: backends.OpTypeSlice, inputs: ns, shape: shape,
		starts: slices.Clone(starts), limits: slices.Clone(limits), strides: st}), nil
}

// Pad implements backends.Builder (negative padding crops; interior padding is supported).
func (b *Builder) Pad(x, fill backends.Op, axesConfig ...backends.PadAxis) (backends.Op, error) {
	ns, err := b.in(backends.OpTypePad, x, fill)
	if err != nil {
		return nil, err
	}
	xs := ns[0].shape
	if !ns[1].shape.IsScalar() || ns[1].shape.DType != xs.DType {
		return nil, wrapErr(backends.OpTypePad, fmt.Errorf("fill value %s must be a scalar of %s", ns[1].shape, xs.DType))
	}
	if len(axesConfig) > xs.Rank() {
		return nil, wrapErr(backends.OpTypePad, fmt.Errorf("%d axes configured for %s", len(axesConfig), xs))
	}
	pads := make([]backends.PadAxis, xs.Rank())
	copy(pads, axesConfig)
	shape := xs.Clone()
	for i, p := range pads {
		d := xs.Dimensions[i]
		if p.Interior < 0 {
			return nil, wrapErr(backends.OpTypePad, fmt.Errorf("negative interior padding on axis %d", i))
		}
		n := p.Start + p.End + d
		if d > 0 {
			n += (d - 1) * p.Interior
		}
		if n < 0 {
			return nil, wrapErr(backends.OpTypePad, fmt.Errorf("axis %d padded to negative size %d", i, n))
		}
		shape.Dimensions[i] = n
	}
	return b.add(&node{op: backends.OpTypePad, inputs: ns, shape: shape, pads: pads}), nil
}

// Concatenate implements backends.Builder.
func (b *Builder) Concatenate(axis int, operands ...backends.Op) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeConcatenate, operands...)
	if err != nil {
		return nil, err
	}
	ss := make([]shapes.Shape, len(ns))
	for i, n := range ns {
		ss[i] = n.shape
	}
	shape, err := shapeinference.ConcatenateOp(ss, axis)
	if err != nil {
		return nil, wrapErr(backends.OpTypeConcatenate, err)
	}
	return b.add(&node{op: backends.OpTypeConcatenate, inputs: ns, shape: shape, axes: []int{axis}}), nil
}

// Reverse implements backends.Builder.
func (b *Builder) Reverse(x backends.Op, axes ...int) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeReverse, x)
	if err != nil {
		return nil, err
	}
	for _, a := range axes {
		if a < 0 || a >= ns[0].shape.Rank() {
			return nil, wrapErr(backends.OpTypeReverse, fmt.Errorf("axis %d out of range for %s", a, ns[0].shape))
		}
	}
	return b.add(&node{op: backends.OpTypeReverse, inputs: ns, shape: ns[0].shape, axes: slices.Clone(axes)}), nil
}

// Iota implements backends.Builder.
func (b *Builder) Iota(shape shapes.Shape, iotaAxis int) (backends.Op, error) {
	if _, err := b.in(backends.OpTypeIota); err != nil {
		return nil, err
	}
	if iotaAxis < 0 || iotaAxis >= shape.Rank() {
		return nil, wrapErr(backends.OpTypeIota, fmt.Errorf("axis %d out of range for %s", iotaAxis, shape))
	}
	if _, err := makeFlat(shape.DType, 0); err != nil || shape.DType == dtypes.Bool {
		return nil, wrapErr(backends.OpTypeIota, fmt.Errorf("dtype %s not supported", shape.DType))
	}
	return b.add(&node{op: backends.OpTypeIota, shape: shape.Clone(), axes: []int{iotaAxis}}), nil
}

func (b *Builder) reduce(op backends.OpType, x backends.Op, axes []int) (backends.Op, error) {
	ns, err := b.in(op, x)
	if err != nil {
		return nil, err
	}
	if len(axes) == 0 {
		axes = make([]int, ns[0].shape.Rank())
		for i := range axes {
			axes[i] = i
		}
	}
	shape, err := shapeinference.ReduceOp(ns[0].shape, axes)
	if err != nil {
		return nil, wrapErr(op, err)
	}
	if ns[0].shape.DType == dtypes.Bool {
		return nil, wrapErr(op, fmt.Errorf("boolean operand %s", ns[0].shape))
	}
	return b.add(&node{op: op, inputs: ns, shape: shape, axes: slices.Clone(axes)}), nil
}

// ReduceSum implements backends.Builder.
func (b *Builder) ReduceSum(x backends.Op, axes ...int) (backends.Op, error) {
	return b.reduce(backends.OpTypeReduceSum, x, axes)
}

// ReduceMax implements backends.Builder.
func (b *Builder) ReduceMax(x backends.Op, axes ...int) (backends.Op, error) {
	return b.reduce(backends.OpTypeReduceMax, x, axes)
}

// ReduceMin implements backends.Builder.
func (b *Builder) ReduceMin(x backends.Op, axes ...int) (backends.Op, error) {
	return b.reduce(backends.OpTypeReduceMin, x, axes)
}

// ReduceProduct implements backends.Builder.
func (b *Builder) ReduceProduct(x backends.Op, axes ...int) (backends.Op, error) {
	return b.reduce(backends.OpTypeReduceProduct, x, axes)
}

// ArgMinMax implements backends.Builder.
func (b *Builder) ArgMinMax(x backends.Op, axis int, outputDType dtypes.DType, isMin bool) (backends.Op, error) {
	ns, err := b.in(backends.OpTypeArgMinMax, x)
	if err != nil {
		return nil, err
	}
	shape, err := shapeinference.ArgMinMaxOp(ns[0].shape, axis, outputDType)
	if err != nil {
		return nil, wrapErr(backends.OpTypeArgMinMax, err)
	}
	if !outputDType.IsInt() || ns[0].shape.DType == dtypes.Bool {
		return nil, wrapErr(backends.OpTypeArgMinMax, fmt.Errorf("operand %s, output %s not supported", ns[0].shape, outputDType))
	}
	return b.add(&node{op: backends.OpTypeArgMinMax, inputs: ns, shape: shape, axes: []int{axis}, isMin: isMin}), nil
}

// RNGBitGenerator implements backends.Builder with the Philox 4x32-10 generator: the
// state is [key, counter high, counter low]; the values use counters counter+0, +1, ...
// and the new state advances the counter past them.
func (b *Builder) RNGBitGenerator(state backends.Op, shape shapes.Shape) (backends.Op, backends.Op, error) {
	ns, err := b.in(backends.OpTypeRNGBitGenerator, state)
	if err != nil {
		return nil, nil, err
	}
	if !ns[0].shape.Equal(backends.RNGStateShape) {
		return nil, nil, wrapErr(backends.OpTypeRNGBitGenerator, fmt.Errorf("state %s, want %s", ns[0].shape, backends.RNGStateShape))
	}
	if !shape.DType.IsInt() && !shape.DType.IsFloat() {
		return nil, nil, wrapErr(backends.OpTypeRNGBitGenerator, fmt.Errorf("values dtype %s not supported", shape.DType))
	}
	if _, err := makeFlat(shape.DType, 0); err != nil {
		return nil, nil, wrapErr(backends.OpTypeRNGBitGenerator, err)
	}
	words := (shape.Size()*shape.DType.Size() + 3) / 4
	values := b.add(&node{op: backends.OpTypeRNGBitGenerator, inputs: ns, shape: shape.Clone(), rngWords: words})
	newState := b.add(&node{op: opRNGState, inputs: ns, shape: ns[0].shape, rngWords: words})
	return newState, values, nil
}

func reflectElem(flat any) any {
	switch flat.(type) {
	case []bool:
		return false
	case []int8:
		return int8(0)
	case []int16:
		return int16(0)
	case []int32:
		return int32(0)
	case []int64:
		return int64(0)
	case []uint8:
		return uint8(0)
	case []uint16:
		return uint16(0)
	case []uint32:
		return uint32(0)
	case []uint64:
		return uint64(0)
	case []float32:
		return float32(0)
	case []float64:
		return float64(0)
	}
	return nil
}
