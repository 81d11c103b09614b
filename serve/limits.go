package serve

import (
	"context"
	"errors"
)

// errQueueFull is returned when every inference slot is busy and the waiting queue is
// full: the request is refused at once (429) rather than piling up.
var errQueueFull = errors.New("inference queue full")

// limiter bounds concurrent inferences to `slots`, with at most `queue` more requests
// waiting for a slot.
type limiter struct {
	admitted chan struct{} // capacity slots+queue: running or waiting
	running  chan struct{} // capacity slots: running
}

func newLimiter(slots, queue int) *limiter {
	return &limiter{
		admitted: make(chan struct{}, slots+queue),
		running:  make(chan struct{}, slots),
	}
}

// acquire takes an inference slot, waiting in the queue until one frees or ctx ends.
// The returned release must be called exactly once when the inference is done.
func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.admitted <- struct{}{}:
	default:
		return nil, errQueueFull
	}
	select {
	case l.running <- struct{}{}:
		return func() { <-l.running; <-l.admitted }, nil
	case <-ctx.Done():
		<-l.admitted
		return nil, ctx.Err()
	}
}

// waiting is the number of requests admitted but not yet running.
func (l *limiter) waiting() int {
	n := len(l.admitted) - len(l.running)
	if n < 0 {
		return 0
	}
	return n
}
