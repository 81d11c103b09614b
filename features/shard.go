package features

import (
	"fmt"
	"strconv"
	"strings"
)

// defaultShardSize is the number of samples per store shard when not set.
const defaultShardSize = 4096

// ShardSpec selects the K-th (0-based) of N parts of an extraction.
type ShardSpec struct{ K, N int }

// ParseShard reads "K/N" (0 <= K < N).
func ParseShard(s string) (ShardSpec, error) {
	k, n, ok := strings.Cut(s, "/")
	ki, err1 := strconv.Atoi(k)
	ni, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 0 || ki >= ni {
		return ShardSpec{}, fmt.Errorf("--shard %q: want K/N with 0 <= K < N, e.g. 0/3", s)
	}
	return ShardSpec{K: ki, N: ni}, nil
}

func (s ShardSpec) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// numShards is the number of store shards of t at shardSize samples per shard.
func numShards(t *Target, shardSize int) int {
	return (len(t.Samples) + shardSize - 1) / shardSize
}

// AssignShards gives every store shard of every target to one of n tasks: plan[t][s]
// is the task writing shard s of targets[t]. Shards are taken in order (targets in
// extraction order, shards by index) and each goes to the task with the fewest images
// so far (samples x views; the lowest task on ties), so the plan depends only on the
// targets, the shard size and n: every task computes the same one.
func AssignShards(targets []*Target, shardSize, n int) [][]int {
	if shardSize <= 0 {
		shardSize = defaultShardSize
	}
	load := make([]int, n)
	plan := make([][]int, len(targets))
	for ti, t := range targets {
		plan[ti] = make([]int, numShards(t, shardSize))
		for s := range plan[ti] {
			best := 0
			for k := 1; k < n; k++ {
				if load[k] < load[best] {
					best = k
				}
			}
			plan[ti][s] = best
			load[best] += min(shardSize, len(t.Samples)-s*shardSize) * t.Views
		}
	}
	return plan
}
