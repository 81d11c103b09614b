package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/fairclip/fairclip/detect"
)

// scored is one upload's answer, with the face boxes drawn when asked for.
type scored struct {
	res     detect.FileResult
	overlay []byte // PNG of the image with its faces drawn; nil for videos and errors
}

// score runs the uploads through the scorer under the concurrency limit and the
// request timeout. It owns ups: they are removed once scored, even when the request
// has timed out and the inference is still finishing in the background.
func (s *Server) score(ctx context.Context, ups []upload, draw bool) ([]scored, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.RequestTimeout)
	defer cancel()
	release, err := s.limit.acquire(ctx)
	if err != nil {
		removeUploads(ups)
		if errors.Is(err, errQueueFull) {
			return nil, &httpError{http.StatusTooManyRequests,
				fmt.Sprintf("all %d inference slots busy and %d requests queued: retry later", s.opts.MaxConcurrent, s.opts.QueueSize)}
		}
		return nil, s.timeoutError(err)
	}
	done := make(chan []scored, 1)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		out := make([]scored, len(ups))
		for i, u := range ups {
			out[i].res = s.scoreFile(ctx, u)
			if !out[i].res.OK() {
				s.metrics.detectFailure()
			} else if draw && out[i].res.Kind == detect.KindImage {
				out[i].overlay = overlayPNG(u.path, out[i].res)
			}
		}
		// Uploads are gone and the slot is free before the answer is sent.
		removeUploads(ups)
		release()
		done <- out
	}()
	select {
	case out := <-done:
		for _, o := range out {
			if o.res.ErrorKind == detect.ErrCanceled && ctx.Err() != nil {
				return nil, s.timeoutError(ctx.Err())
			}
		}
		return out, nil
	case <-ctx.Done():
		return nil, s.timeoutError(ctx.Err())
	}
}

func (s *Server) scoreFile(ctx context.Context, u upload) detect.FileResult {
	f, err := os.Open(u.path)
	if err != nil {
		return detect.FileResult{File: u.name, Error: u.name + ": upload lost: " + err.Error(), ErrorKind: detect.ErrInternal}
	}
	defer f.Close()
	return s.scorer.DetectReader(ctx, u.name, f)
}

func (s *Server) timeoutError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &httpError{http.StatusGatewayTimeout, fmt.Sprintf("detection did not finish within %s", s.opts.RequestTimeout)}
	}
	// The client went away: the status is never read, but the log shows it.
	return &httpError{499, "request canceled by the client"}
}

// errorCode is the status of err (500 for unexpected errors).
func errorCode(err error) (int, string) {
	var he *httpError
	if errors.As(err, &he) {
		return he.code, he.msg
	}
	return http.StatusInternalServerError, err.Error()
}

// handleDetectAPI answers POST /v1/detect with the JSON of `fairclip detect --json`:
// 200 when at least one file was scored, 422 when every file failed (the body says why).
func (s *Server) handleDetectAPI(w http.ResponseWriter, r *http.Request) {
	ups, err := s.readUploads(w, r)
	if err != nil {
		code, msg := errorCode(err)
		writeError(w, code, msg)
		return
	}
	out, err := s.score(r.Context(), ups, false)
	if err != nil {
		code, msg := errorCode(err)
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		writeError(w, code, msg)
		return
	}
	results := make([]detect.FileResult, len(out))
	for i, o := range out {
		results[i] = o.res
	}
	rep := detect.NewReport(s.scorer.Model(), results)
	code := http.StatusOK
	if rep.Failed == len(results) {
		code = http.StatusUnprocessableEntity
	}
	writeJSON(w, code, rep)
}

// handleModel answers GET /v1/model: the model identity, threshold and validation
// metrics (the "model" object of every detection answer).
func (s *Server) handleModel(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.scorer.Model())
}
