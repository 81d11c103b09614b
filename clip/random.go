package clip

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// RandomWeights returns weights of architecture arch drawn from a seeded generator, with
// scales like OpenAI's initialization (matrices and embeddings ~ N(0, 1/width), the patch
// convolution ~ N(0, 1/fan_in), biases ~ N(0, 0.02^2), LayerNorm gains 1), so activations
// stay in a realistic range. Used for tests, benchmarks and the quickstart.
func RandomWeights(arch Arch, seed int64) (*Weights, error) {
	if err := arch.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x636c6970))
	w := &Weights{Arch: arch, Layout: LayoutOpenAI, Prefix: "visual.", Tensors: map[string][]float32{}}
	scale := 1 / math.Sqrt(float64(arch.Width))
	for _, s := range arch.tensorSpecs() {
		data := make([]float32, numel(s.shape))
		switch {
		case strings.HasPrefix(s.name, "ln_") && strings.HasSuffix(s.name, ".weight"),
			strings.Contains(s.name, ".ln_") && strings.HasSuffix(s.name, ".weight"):
			for i := range data {
				data[i] = 1
			}
		case strings.HasSuffix(s.name, "bias"):
			fill(rng, data, 0.02)
		case s.name == "conv1.weight":
			fill(rng, data, 1/math.Sqrt(float64(3*arch.Patch*arch.Patch)))
		default:
			fill(rng, data, scale)
		}
		w.Tensors[s.name] = data
	}
	if len(w.Tensors) != len(arch.tensorSpecs()) {
		return nil, fmt.Errorf("clip: random weights: duplicate tensor names")
	}
	return w, nil
}

func fill(rng *rand.Rand, data []float32, std float64) {
	for i := range data {
		data[i] = float32(rng.NormFloat64() * std)
	}
}
