package fairloss

import "errors"

// Errors returned for degenerate input. They are wrapped with context naming the
// offending field; test for them with errors.Is.
var (
	// ErrEmpty: a point cloud has no points.
	ErrEmpty = errors.New("empty point cloud")
	// ErrNonFinite: a coordinate, weight or parameter is NaN or infinite.
	ErrNonFinite = errors.New("non-finite value")
	// ErrZeroWeight: a cloud's weights sum to zero.
	ErrZeroWeight = errors.New("total weight is zero")
	// ErrNegativeWeight: a weight is negative.
	ErrNegativeWeight = errors.New("negative weight")
	// ErrDimension: slice lengths disagree with the declared sizes.
	ErrDimension = errors.New("dimension mismatch")
	// ErrParameter: an option (p, blur, scaling, sizes) is out of range.
	ErrParameter = errors.New("invalid parameter")
)
