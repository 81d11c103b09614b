package train

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/fairclip/fairclip/features"
)

// TestShardedStoreTrainingEqualsSingle extracts the stores once in one process and
// once as 3 shard tasks (`extract --shard K/3`, then `--finalize`, which adds the
// Stage 1 outputs), and trains two epochs from each: losses and validation scores
// agree bit for bit.
func TestShardedStoreTrainingEqualsSingle(t *testing.T) {
	single := featureConfig(t)
	if _, err := features.Extract(context.Background(), single, features.ExtractOptions{ShardSize: 8}); err != nil {
		t.Fatal(err)
	}
	sharded := single
	sharded.Features.Dir = filepath.Join(t.TempDir(), "sharded")
	for _, k := range []int{1, 2, 0} {
		if _, err := features.Extract(context.Background(), sharded, features.ExtractOptions{ShardSize: 8, Shard: features.ShardSpec{K: k, N: 3}}); err != nil {
			t.Fatal(err)
		}
	}
	sums, err := features.Extract(context.Background(), sharded, features.ExtractOptions{ShardSize: 8, Finalize: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Stage1Dir == "" {
			t.Errorf("%s: --finalize stored no Stage 1 outputs", s.Target)
		}
		if err := features.Verify(s.Dir); err != nil {
			t.Error(err)
		}
	}
	requireSameRuns(t, runWith(t, single), runWith(t, sharded), "single process", "3 shard tasks")
}
