// Package fairloss computes the debiased Sinkhorn divergence between weighted point
// clouds with geomloss 0.2.6 semantics, and the subgroup fairness losses built on it.
//
// The divergence reproduces geomloss's SamplesLoss("sinkhorn", p, blur, scaling,
// debias=True, backend="tensorized") in float64: the cost is |x-y|^2/2 for p=2 and
// |x-y| (with geomloss's sqrt(max(|x-y|^2, 1e-8))) for p=1, epsilon = blur^p, a fixed
// epsilon-annealing schedule from the clouds' diameter down to blur (see
// EpsilonSchedule), symmetric log-domain updates with averaging, and one final
// extrapolation step. The value is what that fixed schedule yields, not a converged
// optimum. Gradients follow the envelope theorem exactly as torch autograd through
// geomloss produces them: the potentials are constants and only the last extrapolation
// step is differentiated.
//
// The fairness losses (Stage2.Loss, Stage1.Global, Stage1.Pairwise) return the value,
// the gradient with respect to the feature matrix, and a Breakdown for logging.
package fairloss
