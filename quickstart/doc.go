// Package quickstart runs fairclip end to end on a machine with no data and no
// weights: a synthetic PG-FDD dataset, a seeded tiny random CLIP vision tower, a
// Stage 1 adapter, frozen features in a store, scaled-down Exp1-3 runs evaluated on
// the synthetic ff++ validation and celebdf/dfd/dfdc tests, and the tuning report.
package quickstart
