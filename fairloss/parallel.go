package fairloss

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor calls f(i) for i in [0, n) on up to GOMAXPROCS goroutines. Work items
// are handed out one at a time, so uneven items (pairs of different sizes) balance.
func parallelFor(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
