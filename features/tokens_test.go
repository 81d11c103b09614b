package features

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"testing"
)

// TestTokensKeyKeepsSingleTokenStores: without tokens the key hashes exactly the seven
// parts it always had (so existing stores keep their directories); with tokens it
// changes.
func TestTokensKeyKeepsSingleTokenStores(t *testing.T) {
	k := Key{Backbone: "random:tiny:seed=3", Preprocess: "p", Stage1: "", Augment: "none", Dataset: "ff++", Split: "val", Samples: "abc"}
	h := sha256.New()
	// The parts in sorted order, as Hash has written them since format 1.
	for _, p := range [][2]string{{"augment", "none"}, {"backbone", "random:tiny:seed=3"}, {"dataset", "ff++"},
		{"preprocess", "p"}, {"samples", "abc"}, {"split", "val"}, {"stage1", ""}} {
		fmt.Fprintf(h, "%s=%q\n", p[0], p[1])
	}
	if want := hex.EncodeToString(h.Sum(nil))[:16]; k.Hash() != want {
		t.Errorf("single-token key hash %s, want %s", k.Hash(), want)
	}
	withTokens := k
	withTokens.Tokens = "patches:16"
	if withTokens.Hash() == k.Hash() {
		t.Error("the token setting does not change the key")
	}
	if d := k.Diff(withTokens); len(d) != 1 || d[0] != `tokens: "" -> "patches:16"` {
		t.Errorf("diff %v", d)
	}
}

// TestExtractTokens extracts stores with 4 pooled patch tokens (2 x 2 grid over the tiny
// ViT's 4 x 4 patches) and checks them against the live encoder: bit for bit as float32,
// within float16 rounding by default; sizes, verify and info.
func TestExtractTokens(t *testing.T) {
	root := t.TempDir()
	writeDataset(t, root, 6)
	for _, dtype := range []string{"", "float32"} {
		t.Run("dtype="+dtype, func(t *testing.T) {
			feat := t.TempDir()
			cfg := testConfig(root, feat, 2)
			cfg.Features.Tokens = "patches:4"
			sums := extract(t, cfg, ExtractOptions{TokensDType: dtype})
			clsCfg := testConfig(root, t.TempDir(), 2)
			disk, err := NewSource(cfg, Options{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer disk.Close()
			live := cfg
			live.Features.Mode = ModeNone
			liveSrc, err := NewSource(live, Options{Batch: 5}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer liveSrc.Close()
			for _, s := range sums {
				if err := Verify(s.Dir); err != nil {
					t.Error(err)
				}
				inf, err := Describe(s.Dir)
				if err != nil {
					t.Fatal(err)
				}
				wantDType := map[string]string{"": "float16", "float32": "float32"}[dtype]
				if inf.Tokens != 4 || inf.TokensDType != wantDType || inf.Key.Tokens != "patches:4" {
					t.Errorf("%s: info tokens %d %s key %q", s.Target, inf.Tokens, inf.TokensDType, inf.Key.Tokens)
				}
				st, err := os.Stat(shardFile(s.Dir, "tokens", 0))
				if err != nil {
					t.Fatal(err)
				}
				bytes := map[string]int{"float16": 2, "float32": 4}[wantDType]
				if want := min(4, s.N) * s.Views * 4 * s.Dim * bytes; st.Size() != int64(want) {
					t.Errorf("%s: token shard 0 has %d bytes, want %d", s.Target, st.Size(), want)
				}
			}
			for _, split := range Splits {
				a, err := disk.Split(split, "ff++")
				if err != nil {
					t.Fatal(err)
				}
				b, err := liveSrc.Split(split, "ff++")
				if err != nil {
					t.Fatal(err)
				}
				clsSetup, err := NewSetup(clsCfg, Options{})
				if err != nil {
					t.Fatal(err)
				}
				clsTarget, err := clsSetup.Target(split, "ff++")
				if err != nil {
					t.Fatal(err)
				}
				if clsTarget.Key.Tokens != "" || clsTarget.Dir == a.Target().Dir {
					t.Errorf("%s: the cls store and the token store share key %q / dir %s", split, clsTarget.Key.Tokens, clsTarget.Dir)
				}
				if a.Tokens() != 4 || b.Tokens() != 4 {
					t.Fatalf("%s: tokens %d (disk), %d (live), want 4", split, a.Tokens(), b.Tokens())
				}
				n, per := a.Len(), 4*a.Dim()
				idx, views := make([]int, n), make([]int, n)
				for i := range idx {
					idx[i], views[i] = i, i%a.Views()
				}
				got, want := make([]float32, n*per), make([]float32, n*per)
				if err := a.TokenRows(idx, views, got); err != nil {
					t.Fatal(err)
				}
				if err := b.TokenRows(idx, views, want); err != nil {
					t.Fatal(err)
				}
				var worst float64
				for i := range want {
					d := math.Abs(float64(got[i] - want[i]))
					if dtype == "" {
						d /= math.Max(math.Abs(float64(want[i])), 1e-4) // float16: relative 2^-11
					}
					worst = math.Max(worst, d)
				}
				if tol := map[string]float64{"": 1.0 / 2048, "float32": 0}[dtype]; worst > tol {
					t.Errorf("%s: stored tokens differ from live ones by %g (tolerance %g)", split, worst, tol)
				}
			}
		})
	}
}
