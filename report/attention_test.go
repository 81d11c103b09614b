package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttentionEntropyTable copies a run, gives its epochs per-head attention entropies
// and a features.tokens setting, and checks that section 4.1 shows them next to the
// gate with ln(K+1); the unchanged runs show no such table.
func TestAttentionEntropyTable(t *testing.T) {
	src := testRuns()[0]
	dir := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatal(err)
		}
		if ev["type"] == "epoch" {
			e := ev["epoch"].(float64)
			ev["attention_entropy"] = []float64{0.5 + e/100, 1.5}
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			line = string(b)
		}
		out = append(out, line)
	}
	if err := os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = append(cfg, []byte("features:\n  tokens: patches:4\n")...)
	if strings.Count(string(cfg), "\nfeatures:") > 1 {
		t.Fatal("config.yaml already has a features section; adjust the test")
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Build([]string{dir, testRuns()[1]}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	md := rep.Markdown()
	for _, want := range []string{"attention entropy per head at best epoch (nats)", "| 1+4 | 2 |", "1.6094"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	plain, err := Build(testRuns(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.Markdown(), "attention entropy") {
		t.Error("runs without entropies got an attention table")
	}
}
