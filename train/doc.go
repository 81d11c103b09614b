// Package train runs fairclip's Stage 2 training and evaluation: losses, AdamW with
// global-norm clipping, per-epoch schedules, the epoch loop with validation, tests,
// checkpoints, diagnostics and resume, writing a run folder (package runs).
//
// Its input is a Source of CLIP features (synthetic now, the feature store later);
// the model graphs come from package model.
package train
