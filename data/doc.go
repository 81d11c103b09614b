// Package data reads fairclip's dataset indexes (PG-FDD fairness CSVs, DeepfakeBench
// JSON), maps demographic attributes to subgroups, and draws deterministic batches.
//
// It also owns the one image pipeline (decode, augment, resize, normalize) and a
// bounded prefetching loader; see the image*, augment*, preprocess* and loader* files.
package data
