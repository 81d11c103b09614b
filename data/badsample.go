package data

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
)

// BadImagePolicy is dataset.on_bad_image: what happens to a sample whose
// image cannot be read. It never silently changes results: "fail" stops with
// the file and index row, "skip" drops the sample and reports it.
type BadImagePolicy string

// The two policies.
const (
	BadImageFail BadImagePolicy = "fail"
	BadImageSkip BadImagePolicy = "skip"
)

// ParseBadImagePolicy parses a config value; "" is the default, fail.
func ParseBadImagePolicy(s string) (BadImagePolicy, error) {
	switch BadImagePolicy(s) {
	case "", BadImageFail:
		return BadImageFail, nil
	case BadImageSkip:
		return BadImageSkip, nil
	}
	return "", fmt.Errorf("on_bad_image %q: want fail or skip", s)
}

// BadSample is a sample whose image could not be read, with the cause.
type BadSample struct {
	Sample Sample
	Err    error
}

func (b BadSample) String() string {
	return fmt.Sprintf("%s (%s): %v", b.Sample.Path, b.Sample.Where(), b.Err)
}

// BadSampleError is the error of the fail policy: the first bad sample.
type BadSampleError struct{ Bad BadSample }

func (e *BadSampleError) Error() string {
	return fmt.Sprintf("unreadable image %s (on_bad_image: fail)", e.Bad)
}

// Unwrap returns the cause.
func (e *BadSampleError) Unwrap() error { return e.Bad.Err }

// ApplyBadImagePolicy removes bad samples from samples under policy skip and
// returns the kept samples in their original order; under fail it returns a
// *BadSampleError for the first bad sample (in sample order).
func ApplyBadImagePolicy(samples []Sample, bad []BadSample, policy BadImagePolicy) ([]Sample, error) {
	if len(bad) == 0 {
		return samples, nil
	}
	switch policy {
	case BadImageSkip:
	case BadImageFail, "":
		first := bad[0]
		for _, b := range bad[1:] {
			if b.Sample.CSV < first.Sample.CSV || (b.Sample.CSV == first.Sample.CSV && b.Sample.Row < first.Sample.Row) {
				first = b
			}
		}
		return nil, &BadSampleError{Bad: first}
	default:
		return nil, fmt.Errorf("on_bad_image %q: want fail or skip", policy)
	}
	type where struct {
		csv string
		row int
	}
	drop := make(map[where]bool, len(bad))
	for _, b := range bad {
		drop[where{b.Sample.CSV, b.Sample.Row}] = true
	}
	kept := make([]Sample, 0, len(samples)-len(bad))
	for _, s := range samples {
		if !drop[where{s.CSV, s.Row}] {
			kept = append(kept, s)
		}
	}
	return kept, nil
}

// CheckOptions configures CheckSamples.
type CheckOptions struct {
	// Decode decodes each image (DecodeImage); otherwise only existence and
	// regular-file-ness are checked.
	Decode bool
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called after each sample with the number done
	// (from one goroutine at a time, in no particular order of samples).
	Progress func(done, total int)
}

// CheckSamples checks every sample's image in parallel and returns the bad
// ones in sample order. It stops early, returning ctx.Err(), when ctx ends.
func CheckSamples(ctx context.Context, samples []Sample, opts CheckOptions) ([]BadSample, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, len(samples))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range min(workers, max(len(samples), 1)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = checkOne(samples[i].Path, opts.Decode)
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, len(samples))
					mu.Unlock()
				}
			}
		})
	}
	var err error
feed:
	for i := range samples {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	var bad []BadSample
	for i, e := range errs {
		if e != nil {
			bad = append(bad, BadSample{Sample: samples[i], Err: e})
		}
	}
	return bad, nil
}

func checkOne(path string, decode bool) error {
	if decode {
		_, err := DecodeImage(path)
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("not a regular file")
	}
	return nil
}
