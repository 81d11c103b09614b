package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fairclip/fairclip/detect"
)

// childEnv makes the test binary run `fairclip serve` (RunUntilSignal) instead of the
// tests, so that a real SIGTERM reaches a real server process.
const childEnv = "FAIRCLIP_SERVE_TEST_CHILD"

func childMain() int {
	c := Command{RunDir: os.Getenv("FAIRCLIP_SERVE_TEST_RUN"), Addr: "127.0.0.1:0",
		Server: Options{TempDir: os.Getenv("FAIRCLIP_SERVE_TEST_TMP"), Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))},
		Ready:  func(a net.Addr) { fmt.Printf("listening on http://%s\n", a) }}
	if err := RunUntilSignal(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	fmt.Println("stopped")
	return 0
}

// TestSIGTERMDuringRequest starts a server process, begins an upload, sends SIGTERM
// mid-body, and checks: the listener closes, the upload still gets its full answer
// (equal to detect's), the process exits 0, and no temporary file is left.
func TestSIGTERMDuringRequest(t *testing.T) {
	fx := realRun(t)
	face := realInputs(t, 1)[0]
	data, err := os.ReadFile(face)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "FAIRCLIP_SERVE_TEST_RUN="+fx.Run, "FAIRCLIP_SERVE_TEST_TMP="+tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.HasPrefix(lines.Text(), "listening on http://") {
		cmd.Wait()
		t.Fatalf("child did not start: %q\n%s", lines.Text(), stderr.String())
	}
	url := strings.TrimPrefix(lines.Text(), "listening on ")
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/")

	// Half an upload on a raw connection: the request is in flight.
	body, ct := multipartBody(t, map[string][]byte{"face.png": data})
	raw, _ := io.ReadAll(body)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/detect HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", addr, ct, len(raw))
	half := len(raw) / 2
	if _, err := conn.Write(raw[:half]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the upload to be in flight", func() bool {
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "\nfairclip_http_requests_in_flight 2\n") // the upload and this scrape
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if _, err := conn.Write(raw[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight upload: %v\n%s", err, stderr.String())
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := realDetector(t)
	r := d.DetectFile(context.Background(), face)
	r.File = "face.png"
	r.Error = strings.ReplaceAll(r.Error, face, r.File)
	want, _ := json.Marshal(detect.NewReport(d.Model(), []detect.FileResult{r}))
	var compact bytes.Buffer
	json.Compact(&compact, got)
	wantCode := 200
	if !r.OK() {
		wantCode = 422
	}
	if resp.StatusCode != wantCode || !bytes.Equal(compact.Bytes(), want) {
		t.Errorf("in-flight upload answered %d\n got %s\nwant %s", resp.StatusCode, compact.Bytes(), want)
	}
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child exit: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(string(rest), "stopped") {
		t.Errorf("child output after SIGTERM: %q", rest)
	}
	for _, msg := range []string{"msg=listening", "msg=\"shutting down: finishing in-flight requests\"", "route=detect", "code=200", "msg=stopped"} {
		if !strings.Contains(stderr.String(), msg) {
			t.Errorf("server log lacks %s:\n%s", msg, stderr.String())
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "*"))
	if len(left) > 0 {
		t.Errorf("temporary files left after shutdown: %v", left)
	}
}
