package features

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackboneIDFollowsConfig checks that the store key's backbone identity includes the
// configuration clip.Load resolves: the same weights file with and without a config.json
// that gives 4 heads of 16 (width 64, where width/64 would be 1 head) are different
// backbones, and the same hyperparameters give the same identity.
func TestBackboneIDFollowsConfig(t *testing.T) {
	src := filepath.Join("..", "clip", "testdata", "hf_vision")
	weights, err := os.ReadFile(filepath.Join(src, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(src, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(withConfig bool) string {
		dir := t.TempDir()
		p := filepath.Join(dir, "model.safetensors")
		if err := os.WriteFile(p, weights, 0o644); err != nil {
			t.Fatal(err)
		}
		if withConfig {
			if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	bare, err := BackboneID(write(false))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(bare, "+") {
		t.Errorf("identity without config %q has a configuration part", bare)
	}
	withCfg, err := BackboneID(write(true))
	if err != nil {
		t.Fatal(err)
	}
	if want := bare + "+heads=4,act=gelu,eps=1e-06"; withCfg != want {
		t.Errorf("identity with config.json %q, want %q", withCfg, want)
	}
	bb, err := LoadBackbone(write(true))
	if err != nil {
		t.Fatal(err)
	}
	if bb.ID != withCfg || bb.Weights.Arch.Heads != 4 {
		t.Errorf("LoadBackbone: id %q heads %d, want %q and 4", bb.ID, bb.Weights.Arch.Heads, withCfg)
	}
}
