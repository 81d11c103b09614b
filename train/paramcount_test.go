package train

import (
	"testing"

	"github.com/fairclip/fairclip/config"
	"github.com/fairclip/fairclip/model"
)

func TestParamCounts(t *testing.T) {
	cfg := config.Default()
	mc := ModelConfig(cfg.Model)
	params, err := model.NewStage2(mc, 1)
	if err != nil {
		t.Fatal(err)
	}
	stage1 := model.NewStage1(mc, 1)
	c := CountParams(cfg, stage1, params, 0)
	// The report's 1.2 line: ~353M total, ~9.4M trainable (2.66%), frozen 97.34%.
	// Stage 2 head (REFERENCE.md section 1): 738,816 + 8,269,057 + 369,602.
	if c.Trainable != 9_377_475 {
		t.Errorf("trainable = %d, want 9,377,475", c.Trainable)
	}
	// ViT-L/14 visual: conv 3*1024*14*14 + class/pos (1+257)*1024 + ln_pre/post 4*1024 +
	// 24 layers of 12,596,224 + proj 1024*768 = 303,966,208.
	if c.Backbone.Visual != 303_966_208 {
		t.Errorf("ViT-L/14 visual = %d, want 303,966,208", c.Backbone.Visual)
	}
	if pct := 100 * float64(c.Trainable) / float64(c.Total()); pct < 2.655 || pct > 2.665 {
		t.Errorf("trainable share %.3f%%, want the report's 2.66%%", pct)
	}

	cfg.ClipWeights = "random:tiny:seed=3"
	c = CountParams(cfg, stage1, params, 0)
	if c.Backbone.Other != 0 || c.Backbone.Visual > 1_000_000 || c.Backbone.Name == "" {
		t.Errorf("random tiny backbone counted as %+v", c.Backbone)
	}
}
