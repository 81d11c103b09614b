package data

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func collect[T any](t *testing.T, l *Loader[T]) ([]Batch[T], error) {
	t.Helper()
	defer l.Close()
	var out []Batch[T]
	for {
		b, err := l.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, b)
	}
}

func TestLoaderOrderAndValues(t *testing.T) {
	paths := make([]string, 50)
	for i := range paths {
		paths[i] = fmt.Sprintf("img%02d.png", i)
	}
	batches := [][]int{{5, 3, 9}, {0}, {49, 48, 47, 46}, {}, {1, 2}}
	for _, workers := range []int{1, 3, 8} {
		l, err := NewLoader(paths, batches, func(i int) (int, error) {
			time.Sleep(time.Duration((i*7)%5) * time.Millisecond) // finish out of order
			return i * i, nil
		}, LoaderOptions{Workers: workers, Prefetch: 2})
		if err != nil {
			t.Fatal(err)
		}
		got, err := collect(t, l)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(batches) {
			t.Fatalf("workers %d: %d batches, want %d", workers, len(got), len(batches))
		}
		for b := range batches {
			if fmt.Sprint(got[b].Indices) != fmt.Sprint(batches[b]) && len(batches[b]) > 0 {
				t.Errorf("workers %d batch %d: indices %v, want %v", workers, b, got[b].Indices, batches[b])
			}
			for k, i := range got[b].Indices {
				if got[b].Values[k] != i*i {
					t.Errorf("workers %d batch %d: value %d for sample %d", workers, b, got[b].Values[k], i)
				}
			}
		}
	}
}

func TestLoaderBackPressure(t *testing.T) {
	const prefetch, batchSize = 2, 4
	paths := make([]string, 400)
	batches := consecutiveBatches(len(paths), batchSize)
	var started atomic.Int64
	l, err := NewLoader(paths, batches, func(i int) (int, error) {
		started.Add(1)
		return i, nil
	}, LoaderOptions{Workers: 4, Prefetch: prefetch})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // let the pool run as far ahead as it may
	// Consumed 1 batch; at most prefetch queued, one being filled, and the
	// task queue (one slot per worker) may hold items of the next.
	if limit := int64((1+prefetch+1)*batchSize + 4); started.Load() > limit {
		t.Errorf("loaded %d items ahead of a consumer that took one batch, limit %d", started.Load(), limit)
	}
}

// consecutiveBatches cuts 0..n-1 into consecutive batches.
func consecutiveBatches(n, size int) [][]int {
	var out [][]int
	for i := 0; i < n; i += size {
		b := []int{}
		for j := i; j < min(i+size, n); j++ {
			b = append(b, j)
		}
		out = append(out, b)
	}
	return out
}

func TestLoaderBadImagePolicies(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(pipelineTestdata, "rgb_37x23.png")
	bad := filepath.Join(dir, "broken.jpg")
	if err := os.WriteFile(bad, []byte("\xff\xd8 truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{good, bad, good, filepath.Join(dir, "missing.png"), good}
	batches := [][]int{{0, 1}, {2, 3, 4}}
	p := Pipeline{Augment: &Augmenter{Seed: 1, Resolution: 16}, Preprocess: PreprocessOptions{Mode: PreprocessCLIP, ModelResolution: 8}}
	load := func(i int) ([]float32, error) { return p.Load(paths[i], i, 1) }
	origin := func(i int) (string, int) { return "fake/test.csv", i + 1 }

	t.Run("fail", func(t *testing.T) {
		l, err := NewLoader(paths, batches, load, LoaderOptions{Workers: 2, Origin: origin})
		if err != nil {
			t.Fatal(err)
		}
		got, err := collect(t, l)
		var se *SampleError
		if !errors.As(err, &se) || se.Index != 1 || se.Path != bad || se.Row != 2 {
			t.Fatalf("error %v (%#v), want a SampleError for sample 1", err, se)
		}
		for _, want := range []string{bad, "fake/test.csv row 2"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %q", err, want)
			}
		}
		if len(got) != 0 {
			t.Errorf("got %d batches before the failing one, want 0", len(got))
		}
		if _, again := l.Next(); again != err {
			t.Errorf("Next after failure = %v, want the same error", again)
		}
	})
	t.Run("skip", func(t *testing.T) {
		var skipped []string
		l, err := NewLoader(paths, batches, load, LoaderOptions{
			Workers: 2, OnBadImage: BadImageSkip, Origin: origin,
			OnSkip: func(e *SampleError) { skipped = append(skipped, fmt.Sprintf("%d:%s:%d", e.Index, e.CSV, e.Row)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := collect(t, l)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(skipped) != "[1:fake/test.csv:2 3:fake/test.csv:4]" {
			t.Errorf("skipped %v", skipped)
		}
		if len(got) != 2 || fmt.Sprint(got[0].Indices) != "[0]" || fmt.Sprint(got[1].Indices) != "[2 4]" {
			t.Fatalf("batches %+v", got)
		}
		if len(got[1].Skipped) != 1 || len(got[1].Values[0]) != 3*8*8 {
			t.Errorf("batch 1: %d skipped, value length %d", len(got[1].Skipped), len(got[1].Values[0]))
		}
	})
	t.Run("skip-only-bad-images", func(t *testing.T) {
		l, err := NewLoader(paths, batches, func(i int) (int, error) {
			if i == 2 {
				return 0, errors.New("preprocess: unknown mode")
			}
			return i, nil
		}, LoaderOptions{OnBadImage: BadImageSkip})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := collect(t, l); err == nil || !strings.Contains(err.Error(), "unknown mode") || !strings.Contains(err.Error(), good) {
			t.Errorf("a non-image error was not fatal or lacks the path: %v", err)
		}
	})
}

func TestLoaderOptionErrors(t *testing.T) {
	load := func(i int) (int, error) { return i, nil }
	if _, err := NewLoader([]string{"a"}, [][]int{{0}}, load, LoaderOptions{OnBadImage: "ignore"}); err == nil {
		t.Error("unknown policy accepted")
	}
	if _, err := NewLoader([]string{"a"}, [][]int{{0, 1}}, load, LoaderOptions{}); err == nil {
		t.Error("out-of-range index accepted")
	}
}

func TestLoaderCloseEarly(t *testing.T) {
	paths := make([]string, 1000)
	l, err := NewLoader(paths, consecutiveBatches(1000, 10), func(i int) (int, error) { return i, nil }, LoaderOptions{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Next(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { l.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}
