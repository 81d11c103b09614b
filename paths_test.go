// Package fairclip_test holds checks over the repository as a whole.
package fairclip_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// machinePath matches an absolute path into a machine's own directories (a home, /root, the
// development tree under /work, a scratch file under /tmp). Committed files name paths relative
// to the repository (or $TMPDIR, $HOME) instead.
var machinePath = regexp.MustCompile(`(^|[^A-Za-z0-9_.~$}-])/(work|root|home|tmp|Users)/`)

// tmpAllowed lists files the lead integrates, where the system scratch directory still appears
// in example commands (README.md) and as the CI script's scratch directory (.ci/run); the other
// machine directories are refused there too.
var tmpAllowed = map[string]bool{"README.md": true, ".ci/run": true}

// repoFiles lists the repository's files: tracked and untracked-but-not-ignored through git
// when it is available, else every file under root outside hidden directories except .ci.
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
		return files
	}
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() && rel != "." && strings.HasPrefix(d.Name(), ".") && d.Name() != ".ci" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return files
}

func TestNoMachinePaths(t *testing.T) {
	files := repoFiles(t, ".")
	if len(files) < 50 {
		t.Fatalf("only %d files found in the repository", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			if os.IsNotExist(err) {
				continue // deleted in the working tree
			}
			t.Fatalf("read %s: %v", f, err)
		}
		if bytes.IndexByte(data, 0) >= 0 {
			continue // binary: weights, images, stores
		}
		for i, line := range strings.Split(string(data), "\n") {
			for _, m := range machinePath.FindAllStringSubmatch(line, -1) {
				if m[2] == "tmp" && tmpAllowed[f] {
					continue
				}
				t.Errorf("%s:%d names a machine path (/%s/...): %s", f, i+1, m[2], strings.TrimSpace(line))
			}
		}
	}
}

func TestMachinePathPattern(t *testing.T) {
	abs := func(dir string) string { return "/" + dir + "/" } // keeps this file free of them
	cases := []struct {
		line string
		want bool
	}{
		{"checked against " + abs("work") + "shared/goldens/x.json", true},
		{`path = "` + abs("root") + `.cache/x"`, true},
		{"--out " + abs("tmp") + "qs", true},
		{abs("home") + "user/data", true},
		{`state=${1:-${TMPDIR:-/tmp}/fairclip-slurm}`, false},
		{`go run ./cmd/fairclip quickstart --out qs`, false},
		{`see fairloss/testdata/goldens/x.json`, false},
		{`https://example.org/work/page`, false},
		{`--out ~/tmp/x`, false},
	}
	for _, c := range cases {
		if got := machinePath.MatchString(c.line); got != c.want {
			t.Errorf("%q: match %v, want %v", c.line, got, c.want)
		}
	}
}
