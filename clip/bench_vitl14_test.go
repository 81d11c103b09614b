package clip

import "testing"

// BenchmarkViTL14Forward measures the ViT-L/14 image tower (224², random weights) on
// the default backend, 8 images per execution: the figure scripts/bench-vs-pytorch.sh
// compares with PyTorch (1/images/s = seconds per image).
//
//	go test ./clip -run '^$' -bench ViTL14Forward -benchtime 1x
func BenchmarkViTL14Forward(b *testing.B) { benchmarkEmbed(b, ArchViTL14, 8) }
