// Package runs owns fairclip's run folder: its layout, the append-only events.jsonl log
// and its schema, run.json, score file names and a TensorBoard scalar writer.
//
// A run folder holds config.yaml (resolved), run.json (Info), events.jsonl (one JSON
// object per line with "type" and "time", documented in docs/events.md), tb/
// (TensorBoard event file), scores/{split}_{dataset}_ep{E}.csv and checkpoints.
// Readers (report, sweep, serve) read only documented event fields.
package runs
