package detect

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/fairclip/fairclip/detect/detecttest"
)

// fx is the trained run every test shares (TestMain builds it once).
var fx detecttest.Fixture

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fairclip-detect-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fx, err = detecttest.TrainedRun(context.Background(), dir, nil)
	if err != nil {
		os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
