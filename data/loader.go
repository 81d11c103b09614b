package data

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
)

// SampleError is a failure to load one sample: which one, from where, why.
type SampleError struct {
	Index int    // sample index
	Path  string // image file
	CSV   string // index file, when known
	Row   int    // row in CSV, when known
	Err   error
}

func (e *SampleError) Error() string {
	where := e.Path
	var ie *ImageError
	if errors.As(e.Err, &ie) && ie.Path == e.Path {
		where = "" // the cause names the file already
	}
	if e.CSV != "" {
		where = strings.TrimPrefix(where+", ", ", ") + fmt.Sprintf("%s row %d", e.CSV, e.Row)
	}
	if where == "" {
		return fmt.Sprintf("sample %d: %v", e.Index, e.Err)
	}
	return fmt.Sprintf("sample %d (%s): %v", e.Index, where, e.Err)
}

// Unwrap returns the cause, usually an *ImageError naming the file.
func (e *SampleError) Unwrap() error { return e.Err }

// LoaderOptions configure a Loader.
type LoaderOptions struct {
	// Workers is the number of goroutines calling the load function; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Prefetch is the number of batches loaded ahead of the consumer; loading
	// pauses when that many wait (back-pressure). 0 means 2.
	Prefetch int
	// OnBadImage is BadImageFail ("" too) or BadImageSkip. Only errors
	// matching ErrBadImage are skipped; other errors always fail.
	OnBadImage BadImagePolicy
	// Origin optionally names the index file and row of sample i for errors.
	Origin func(i int) (csv string, row int)
	// OnSkip is called, from the goroutine calling Next and in sample order,
	// for each skipped sample, so the caller can count and log it.
	OnSkip func(*SampleError)
}

// Batch is one loaded batch: the indices that loaded and their values, in
// the order of the requested batch minus skipped samples.
type Batch[T any] struct {
	Indices []int
	Values  []T
	Skipped []*SampleError
}

// Loader loads batches of samples with a bounded goroutine pool and yields
// them in order.
type Loader[T any] struct {
	opts    LoaderOptions
	paths   []string
	pending chan *pendingBatch[T]
	quit    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
	err     error
}

type pendingBatch[T any] struct {
	indices []int
	values  []T
	errs    []error
	left    sync.WaitGroup
}

type loadTask[T any] struct {
	b   *pendingBatch[T]
	pos int
}

// NewLoader starts loading batches (lists of sample indices into paths) with
// load(i); paths[i] names sample i in errors. Call Next until io.EOF, then
// Close (Close may also be called early).
func NewLoader[T any](paths []string, batches [][]int, load func(i int) (T, error), opts LoaderOptions) (*Loader[T], error) {
	policy, err := ParseBadImagePolicy(string(opts.OnBadImage))
	if err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	opts.OnBadImage = policy
	for b, batch := range batches {
		for _, i := range batch {
			if i < 0 || i >= len(paths) {
				return nil, fmt.Errorf("loader: batch %d: sample index %d outside 0..%d", b, i, len(paths)-1)
			}
		}
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	prefetch := opts.Prefetch
	if prefetch <= 0 {
		prefetch = 2
	}
	l := &Loader[T]{
		opts:    opts,
		paths:   paths,
		pending: make(chan *pendingBatch[T], prefetch),
		quit:    make(chan struct{}),
	}
	tasks := make(chan loadTask[T], workers)
	l.wg.Add(1 + workers)
	go func() { // producer: at most prefetch batches queued or in flight
		defer l.wg.Done()
		defer close(tasks)
		defer close(l.pending)
		for _, batch := range batches {
			pb := &pendingBatch[T]{indices: batch, values: make([]T, len(batch)), errs: make([]error, len(batch))}
			pb.left.Add(len(batch))
			select {
			case l.pending <- pb:
			case <-l.quit:
				return
			}
			for pos := range batch {
				select {
				case tasks <- loadTask[T]{pb, pos}:
				case <-l.quit:
					return
				}
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			defer l.wg.Done()
			for t := range tasks {
				t.b.values[t.pos], t.b.errs[t.pos] = load(t.b.indices[t.pos])
				t.b.left.Done()
			}
		}()
	}
	return l, nil
}

// Next returns the next batch in order, io.EOF after the last one, or the
// first failure as a *SampleError naming the file (and CSV row when Origin is
// set). After an error every call returns the same error.
func (l *Loader[T]) Next() (Batch[T], error) {
	if l.err != nil {
		return Batch[T]{}, l.err
	}
	pb, ok := <-l.pending
	if !ok {
		l.err = io.EOF
		return Batch[T]{}, l.err
	}
	pb.left.Wait()
	out := Batch[T]{Indices: make([]int, 0, len(pb.indices)), Values: make([]T, 0, len(pb.indices))}
	for pos, i := range pb.indices {
		if err := pb.errs[pos]; err != nil {
			se := &SampleError{Index: i, Path: l.paths[i], Err: err}
			if l.opts.Origin != nil {
				se.CSV, se.Row = l.opts.Origin(i)
			}
			if l.opts.OnBadImage != BadImageSkip || !errors.Is(err, ErrBadImage) {
				l.err = se
				l.Close()
				return Batch[T]{}, se
			}
			out.Skipped = append(out.Skipped, se)
			if l.opts.OnSkip != nil {
				l.opts.OnSkip(se)
			}
			continue
		}
		out.Indices = append(out.Indices, i)
		out.Values = append(out.Values, pb.values[pos])
	}
	return out, nil
}

// Close stops loading and waits for the workers to finish their current item.
func (l *Loader[T]) Close() {
	l.once.Do(func() {
		close(l.quit)
		// Drain queued batches so the producer is not blocked sending one.
		go func() {
			for range l.pending {
			}
		}()
	})
	l.wg.Wait()
}
