package synth

import (
	"bytes"
	"image/png"
	"testing"
)

// BenchmarkRenderFrame renders one small-scale frame (real and fake videos
// alternate) without encoding.
func BenchmarkRenderFrame(b *testing.B) {
	sc := Scales["small"]
	videos := plan(sc)
	rs := make([]*videoRenderer, 0, 2)
	for _, v := range videos[:2] {
		r, err := newVideoRenderer(sc, 1, DefaultBias, v)
		if err != nil {
			b.Fatal(err)
		}
		rs = append(rs, r)
	}
	i := 0
	for b.Loop() {
		rs[i%2].frame(i % 8)
		i++
	}
}

// BenchmarkEncodeFrame is the PNG encoding of one small-scale frame.
func BenchmarkEncodeFrame(b *testing.B) {
	sc := Scales["small"]
	r, _ := newVideoRenderer(sc, 1, DefaultBias, plan(sc)[0])
	img := r.frame(0)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.NoCompression}
	for b.Loop() {
		buf.Reset()
		if err := enc.Encode(&buf, img); err != nil {
			b.Fatal(err)
		}
	}
}
