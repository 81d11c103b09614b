package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestWriteNewOneWinner lets 8 goroutines create the same file: exactly one reports
// created, the file holds that one's content whole, and no temporary file is left.
func TestWriteNewOneWinner(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "meta.json")
	var wg sync.WaitGroup
	created := make([]bool, 8)
	for i := range created {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := WriteNew(p, []byte(fmt.Sprintf("writer %d", i)), 0o644)
			if err != nil {
				t.Error(err)
			}
			created[i] = ok
		}()
	}
	wg.Wait()
	winners := 0
	var winner int
	for i, c := range created {
		if c {
			winners++
			winner = i
		}
	}
	if winners != 1 {
		t.Fatalf("%d writers created the file, want 1", winners)
	}
	got, _ := os.ReadFile(p)
	if string(got) != fmt.Sprintf("writer %d", winner) {
		t.Errorf("file holds %q, want writer %d's content", got, winner)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries left in the directory, want only meta.json", len(entries))
	}
}
