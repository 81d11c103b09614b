package features

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testSpec(n, views, dim, s1 int, dtype string) (Spec, [][]float32, [][]float32) {
	rng := rand.New(rand.NewPCG(1, 2))
	spec := Spec{Key: Key{Backbone: "random:tiny:seed=1", Preprocess: "clip:32", Augment: "off", Dataset: "ff++", Split: "train"},
		Views: views, ClipDim: dim, Stage1Dim: s1, DType: dtype, ShardSize: 4}
	clip := make([][]float32, n)
	st1 := make([][]float32, n)
	for i := 0; i < n; i++ {
		spec.Samples = append(spec.Samples, Sample{ID: filepathID(i), Label: i % 2, Subgroup: i % 8, Video: "v" + filepathID(i/3)})
		clip[i] = make([]float32, views*dim)
		for k := range clip[i] {
			clip[i][k] = float32(rng.NormFloat64())
		}
		st1[i] = make([]float32, views*s1)
		for k := range st1[i] {
			st1[i][k] = float32(rng.NormFloat64())
		}
	}
	return spec, clip, st1
}

func filepathID(i int) string {
	return filepath.Join("ff++", "img", string(rune('a'+i%26))+strings.Repeat("x", i/26)+".png")
}

func writeShards(t *testing.T, w *Writer, clip, st1 [][]float32, shards []int) {
	t.Helper()
	for _, s := range shards {
		start, count := w.ShardRange(s)
		var c, s1 []float32
		for i := start; i < start+count; i++ {
			c = append(c, clip[i]...)
			s1 = append(s1, st1[i]...)
		}
		if err := w.WriteShard(s, c, s1, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestWriteReadBitExact(t *testing.T) {
	for _, dtype := range []string{"float32", "float16"} {
		dir := t.TempDir()
		spec, clip, st1 := testSpec(10, 3, 5, 4, dtype)
		w, err := Create(dir, spec)
		if err != nil {
			t.Fatal(err)
		}
		writeShards(t, w, clip, st1, w.Pending())
		if err := w.Finish(); err != nil {
			t.Fatal(err)
		}
		r, err := Open(dir, spec.Key)
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, 5)
		for i := 0; i < 10; i++ {
			for v := 0; v < 3; v++ {
				if err := r.CLIP(i, v, dst); err != nil {
					t.Fatal(err)
				}
				for k := 0; k < 5; k++ {
					want := clip[i][v*5+k]
					if dtype == "float16" {
						want = halfToFloat32(float32ToHalf(want))
					}
					if math.Float32bits(dst[k]) != math.Float32bits(want) {
						t.Fatalf("%s: sample %d view %d [%d] = %v, want %v", dtype, i, v, k, dst[k], want)
					}
				}
				if err := r.Stage1(i, v, dst[:4]); err != nil {
					t.Fatal(err)
				}
				want := st1[i][v*4]
				if dtype == "float16" {
					want = halfToFloat32(float32ToHalf(want))
				}
				if dst[0] != want {
					t.Fatalf("%s: stage1 %d/%d = %v want %v", dtype, i, v, dst[0], want)
				}
			}
			if r.Sample(i) != spec.Samples[i] {
				t.Fatalf("sample %d annotation %+v", i, r.Sample(i))
			}
		}
		if err := r.CLIP(10, 0, dst); err == nil {
			t.Error("out-of-range sample accepted")
		}
		r.Close()
		if err := Verify(dir); err != nil {
			t.Errorf("%s: verify: %v", dtype, err)
		}
	}
}

func TestResumeGivesIdenticalStore(t *testing.T) {
	spec, clip, st1 := testSpec(10, 2, 3, 0, "float32")
	whole := t.TempDir()
	w, _ := Create(whole, spec)
	writeShards(t, w, clip, st1, w.Pending())
	w.Finish()

	parts := t.TempDir()
	w1, _ := Create(parts, spec)
	writeShards(t, w1, clip, st1, []int{0}) // "killed" after shard 0
	if _, err := OpenAny(parts); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Fatalf("incomplete store opened: %v", err)
	}
	w2, err := Create(parts, spec) // resume
	if err != nil {
		t.Fatal(err)
	}
	if p := w2.Pending(); len(p) != 2 || p[0] != 1 {
		t.Fatalf("pending after resume = %v, want [1 2]", p)
	}
	writeShards(t, w2, clip, st1, w2.Pending())
	if err := w2.Finish(); err != nil {
		t.Fatal(err)
	}
	for s := 0; s < 3; s++ {
		a, _ := os.ReadFile(shardFile(whole, "clip", s))
		b, _ := os.ReadFile(shardFile(parts, "clip", s))
		if !bytes.Equal(a, b) {
			t.Fatalf("shard %d differs between resumed and uninterrupted extraction", s)
		}
	}
}

func TestKeyMismatchNamesThePart(t *testing.T) {
	dir := t.TempDir()
	spec, clip, st1 := testSpec(4, 1, 2, 0, "float32")
	w, _ := Create(dir, spec)
	writeShards(t, w, clip, st1, w.Pending())
	w.Finish()
	changed := spec.Key
	changed.Preprocess = "reference-stage2:256:224"
	_, err := Open(dir, changed)
	var mm *MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "preprocess") {
		t.Fatalf("changed preprocessing not detected: %v", err)
	}
	changed = spec.Key
	changed.Backbone = "sha256:abc"
	spec2 := spec
	spec2.Key = changed
	if _, err := Create(dir, spec2); !errors.As(err, &mm) || !strings.Contains(err.Error(), "backbone") {
		t.Fatalf("changed weights not detected on create: %v", err)
	}
}

func TestVerifyDetectsCorruption(t *testing.T) {
	dir := t.TempDir()
	spec, clip, st1 := testSpec(4, 1, 2, 0, "float32")
	w, _ := Create(dir, spec)
	writeShards(t, w, clip, st1, w.Pending())
	w.Finish()
	p := shardFile(dir, "clip", 0)
	raw, _ := os.ReadFile(p)
	raw[3] ^= 0xff
	os.WriteFile(p, raw, 0o644)
	if err := Verify(dir); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("corruption not detected: %v", err)
	}
	os.WriteFile(p, raw[:5], 0o644)
	if _, err := OpenAny(dir); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncation not detected: %v", err)
	}
}

func TestRejectsNonFinite(t *testing.T) {
	spec, clip, st1 := testSpec(4, 1, 2, 0, "float32")
	clip[1][0] = float32(math.NaN())
	w, _ := Create(t.TempDir(), spec)
	start, count := w.ShardRange(0)
	var c []float32
	for i := start; i < start+count; i++ {
		c = append(c, clip[i]...)
	}
	_ = st1
	if err := w.WriteShard(0, c, nil, nil); err == nil || !strings.Contains(err.Error(), spec.Samples[1].ID) {
		t.Fatalf("NaN not rejected with the sample named: %v", err)
	}
}

func TestHalfConversion(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {65520, 0x7c00}, {0, 0},
		{5.960464477539063e-08, 0x0001}, // smallest subnormal
		{0.000061035156, 0x0400},        // smallest normal
		{1.0009765625, 0x3c01},
		{1.00048828125, 0x3c00}, // halfway, rounds to even
		{1.00146484375, 0x3c02}, // halfway, rounds to even (up)
		{float32(math.Inf(1)), 0x7c00},
	}
	for _, c := range cases {
		if got := float32ToHalf(c.f); got != c.h {
			t.Errorf("float32ToHalf(%v) = %#04x, want %#04x", c.f, got, c.h)
		}
		if c.f != 65520 && c.f != 1.00048828125 && c.f != 1.00146484375 {
			if back := halfToFloat32(c.h); back != c.f {
				t.Errorf("halfToFloat32(%#04x) = %v, want %v", c.h, back, c.f)
			}
		}
	}
}
