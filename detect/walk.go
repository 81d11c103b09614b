package detect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// mediaExt are the file name extensions a folder walk considers; other files in
// folders (CSV indexes, notes) are skipped. Files named on the command line are
// always tried, and every file's kind is decided by content, not by extension.
var mediaExt = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".webp": true,
	".mp4": true, ".m4v": true, ".mov": true, ".mkv": true, ".webm": true, ".avi": true,
	".mpg": true, ".mpeg": true, ".ts": true, ".flv": true, ".wmv": true, ".3gp": true, ".ogv": true, ".gif": true,
}

// entry is one file to score, or a walk problem to report in its place.
type entry struct {
	path string
	fail *FileResult
}

// Walk expands inputs into the files DetectPaths scores, in order: a file as
// given, a folder's media files recursively in lexical order (symbolic links
// followed; a link back into a folder being walked is reported as ErrSymlinkLoop
// instead of walked). It returns the entries and the number of non-media files
// skipped in folders.
func walk(inputs []string) ([]entry, int) {
	var out []entry
	skipped := 0
	var visit func(path string, ancestors []os.FileInfo, top bool)
	visit = func(path string, ancestors []os.FileInfo, top bool) {
		fi, err := os.Stat(path)
		if err != nil {
			r := FileResult{File: path, Error: fmt.Sprintf("%s: %v", path, err), ErrorKind: kindOfOpenError(err)}
			out = append(out, entry{path: path, fail: &r})
			return
		}
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			r := FileResult{File: path, Error: fmt.Sprintf("%s: not a regular file (%s)", path, fi.Mode().Type()), ErrorKind: ErrUnreadable}
			out = append(out, entry{path: path, fail: &r})
			return
		}
		if !fi.IsDir() {
			if top || mediaExt[strings.ToLower(filepath.Ext(path))] {
				out = append(out, entry{path: path})
			} else {
				skipped++
			}
			return
		}
		for _, a := range ancestors {
			if os.SameFile(a, fi) {
				r := FileResult{File: path, Error: fmt.Sprintf("%s: symbolic link loop (leads back into a folder being walked)", path), ErrorKind: ErrSymlinkLoop}
				out = append(out, entry{path: path, fail: &r})
				return
			}
		}
		names, err := readDirNames(path)
		if err != nil {
			r := FileResult{File: path, Error: fmt.Sprintf("%s: %v", path, err), ErrorKind: kindOfOpenError(err)}
			out = append(out, entry{path: path, fail: &r})
			return
		}
		anc := append(ancestors[:len(ancestors):len(ancestors)], fi)
		for _, n := range names {
			visit(filepath.Join(path, n), anc, false)
		}
	}
	for _, in := range inputs {
		visit(in, nil, true)
	}
	return out, skipped
}

func readDirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	sort.Strings(names)
	return names, err
}

// DetectPaths scores every input: files, and folders walked recursively (media
// files by extension, in lexical order; symbolic links followed, loops reported as
// ErrSymlinkLoop). Up to max(2*Options.Workers, Options.Batch) files are in
// flight; Options.Workers of them decode and crop at once, and their faces are
// scored in shared batches. progress,
// when not nil, is called (from one goroutine at a time) after each file with the
// number done and the total. Results are in walk order; skipped counts the
// non-media files passed over in folders.
func (d *Detector) DetectPaths(ctx context.Context, inputs []string, progress func(done, total int)) (results []FileResult, skipped int) {
	entries, skipped := walk(inputs)
	results = make([]FileResult, len(entries))
	next := make(chan int)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	// More files are in flight than decode slots (Options.Workers), so that the
	// model's batches fill while the next files are decoded.
	for range min(max(2*d.workers, d.opts.Batch), max(len(entries), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				e := entries[i]
				if e.fail != nil {
					r := *e.fail
					r.Threshold = d.info.Threshold
					results[i] = r
				} else {
					results[i] = d.DetectFile(ctx, e.path)
				}
				mu.Lock()
				done++
				if progress != nil {
					progress(done, len(entries))
				}
				mu.Unlock()
			}
		}()
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	return results, skipped
}
