package serve

import (
	"context"
	"flag"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	loadRequests = flag.Int("serve.load", 0, "run TestLoad with this many requests (0: skip)")
	loadWorkers  = flag.Int("serve.load-concurrency", 16, "concurrent clients of TestLoad")
	loadSlots    = flag.Int("serve.load-slots", 0, "Options.MaxConcurrent of TestLoad's server (0: the default)")
)

// heapAfterGC is the live heap in bytes after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLoad is the bounded load test: -serve.load N requests of synthetic face images
// from -serve.load-concurrency clients against the real detector on 127.0.0.1. It
// reports p50/p99 latency and throughput, fails on any error, and checks that the live
// heap after the run is within 16 MiB of the heap after the first tenth (flat memory).
//
//	go test ./serve -run TestLoad -serve.load 2000 -v
func TestLoad(t *testing.T) {
	n := *loadRequests
	if n <= 0 {
		t.Skip("load test: set -serve.load N (docs/serve.md)")
	}
	d := realDetector(t)
	var datas [][]byte
	for _, p := range realInputs(t, 12) {
		if filepath.Base(p) == "gradient.png" || !d.DetectFile(context.Background(), p).OK() {
			continue // faces only: every request must answer 200
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		datas = append(datas, b)
	}
	if len(datas) == 0 {
		t.Fatal("no synthetic image with a face found")
	}
	s := newTestServer(t, d, Options{MaxConcurrent: *loadSlots, QueueSize: 2 * *loadWorkers})
	url := serveReal(t, s)
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	warm := n / 10
	var heapWarm uint64
	var warmOnce sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	transport := &http.Transport{MaxIdleConnsPerHost: *loadWorkers}
	for w := 0; w < *loadWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: transport}
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if i == warm {
					warmOnce.Do(func() { heapWarm = heapAfterGC() })
				}
				t0 := time.Now()
				code, body, err := postFile(client, url, fmt.Sprintf("face-%d.png", i), datas[i%len(datas)])
				lat[i] = time.Since(t0)
				if err != nil || code != 200 {
					if errs.Add(1) <= 3 {
						t.Errorf("request %d: %d %v %s", i, code, err, body)
					}
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	heapEnd := heapAfterGC()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(math.Ceil(p*float64(n)))-1] }
	var rss string
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) == 3 && (f[0] == "VmHWM:" || f[0] == "VmRSS:") {
				rss += fmt.Sprintf(" %s %s %s", f[0], f[1], f[2])
			}
		}
	}
	t.Logf("%d requests, %d concurrent clients, %d inference slots, %d errors: p50 %v, p99 %v, max %v, %.1f requests/s; live heap %.1f MiB after %d requests, %.1f MiB at the end;%s",
		n, *loadWorkers, s.opts.MaxConcurrent, errs.Load(), pct(0.50).Round(100*time.Microsecond), pct(0.99).Round(100*time.Microsecond),
		lat[n-1].Round(100*time.Microsecond), float64(n)/wall.Seconds(), float64(heapWarm)/(1<<20), warm, float64(heapEnd)/(1<<20), rss)
	if errs.Load() > 0 {
		t.Errorf("%d of %d requests failed", errs.Load(), n)
	}
	if heapEnd > heapWarm+16<<20 {
		t.Errorf("live heap grew from %d to %d bytes: memory is not flat", heapWarm, heapEnd)
	}
}
