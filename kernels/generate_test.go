package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// The committed assembly must be exactly what the generator writes.
func TestGeneratedAssemblyIsCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH")
	}
	out, err := exec.Command(goTool, "run", "./_asm").Output()
	if err != nil {
		t.Fatalf("go run ./_asm: %v", err)
	}
	committed, err := os.ReadFile("gemm_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, committed) {
		t.Fatal("gemm_amd64.s differs from the output of ./_asm: run go generate ./kernels/")
	}
}
