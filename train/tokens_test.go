package train

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fairclip/fairclip/features"
	"github.com/fairclip/fairclip/runs"
)

// TestTrainOnTokens trains 2 epochs with fusion_keys: tokens (4 heads over 1+4 keys)
// from a store holding 2 x 2 pooled patch tokens (float32) and live: the runs agree bit
// for bit, their events conform, and every epoch logs one attention entropy per head in
// (0, ln 5]. A store without tokens is refused with a message naming features.tokens.
func TestTrainOnTokens(t *testing.T) {
	cfg := featureConfig(t)
	cls := cfg
	cfg.Features.Tokens, cfg.Model.FusionKeys, cfg.Model.FusionNumHeads = "patches:4", "tokens", 4
	if _, err := features.Extract(context.Background(), cfg, features.ExtractOptions{ShardSize: 8, TokensDType: "float32"}); err != nil {
		t.Fatal(err)
	}
	live := cfg
	live.Features.Mode = features.ModeNone
	dDisk, dLive := runWith(t, cfg), runWith(t, live)
	requireSameRuns(t, dDisk, dLive, "store", "live")
	if err := runs.ValidateLog(dDisk); err != nil {
		t.Error(err)
	}
	ents := attentionEntropies(t, dDisk)
	if len(ents) != 2 {
		t.Fatalf("%d epochs with attention entropies, want 2", len(ents))
	}
	for e, ent := range ents {
		if len(ent) != 4 {
			t.Errorf("epoch %d: %d entropies, want one per head (4)", e+1, len(ent))
		}
		for _, v := range ent {
			if !(v > 0 && v <= math.Log(5)+1e-9) {
				t.Errorf("epoch %d: entropy %g outside (0, ln 5]", e+1, v)
			}
		}
	}

	// The same settings over the single-token store of the cls setting.
	if _, err := features.Extract(context.Background(), cls, features.ExtractOptions{ShardSize: 8}); err != nil {
		t.Fatal(err)
	}
	mixed := cls
	mixed.Model.FusionKeys, mixed.Model.FusionNumHeads = "tokens", 4
	mixed.Features.Tokens = "patches:4"
	src, err := NewFeatureSource(cls, features.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = Run(context.Background(), Options{Config: mixed, Source: src, RunDir: filepath.Join(t.TempDir(), "run"), Version: "test", Out: &strings.Builder{}})
	if err == nil || !strings.Contains(err.Error(), "features.tokens: patches:4") {
		t.Errorf("tokens model on a single-token store: error %v", err)
	}
}

// attentionEntropies reads the epochs' attention_entropy fields (nil when absent).
func attentionEntropies(t *testing.T, dir string) [][]float64 {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, runs.EventsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]float64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev struct {
			Type    string    `json:"type"`
			Entropy []float64 `json:"attention_entropy"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err == nil && ev.Type == "epoch" && ev.Entropy != nil {
			out = append(out, ev.Entropy)
		}
	}
	return out
}
