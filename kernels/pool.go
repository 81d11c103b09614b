package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// pool is a bounded set of worker goroutines (at most GOMAXPROCS-1, started on
// demand) shared by all calls. A call hands a task only to a worker that is idle at
// that moment and always works itself, so nested or concurrent calls never wait for a
// worker and can never deadlock; when every worker is busy the caller does it all.
type pool struct {
	mu      sync.Mutex
	started int
	work    chan func() // unbuffered: a send succeeds only into an idle worker
}

var workers = &pool{work: make(chan func())}

func (p *pool) grow(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for ; p.started < n; p.started++ {
		go func() {
			for f := range p.work {
				f()
			}
		}()
	}
}

// parallel runs f(0), …, f(n-1) on the caller and up to helpers idle workers; which
// goroutine runs which index is not fixed, so f(i) must depend on i only.
func (p *pool) parallel(n, helpers int, f func(i int)) {
	helpers = min(helpers, n-1, runtime.GOMAXPROCS(0)-1)
	if helpers <= 0 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	p.grow(helpers)
	var next atomic.Int64
	var wg sync.WaitGroup
	body := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			f(i)
		}
	}
	helper := func() {
		defer wg.Done()
		body()
	}
handoff:
	for h := 0; h < helpers; h++ {
		wg.Add(1)
		select {
		case p.work <- helper:
		default:
			wg.Done()
			break handoff
		}
	}
	body()
	wg.Wait()
}
