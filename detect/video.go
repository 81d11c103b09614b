package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/fairclip/fairclip/data"
)

// probeInfo is what ffprobe tells about a video's first video stream.
type probeInfo struct {
	width, height int
	frames        int     // packets counted by ffprobe (-count_packets)
	fps           float64 // average frame rate (0 when unknown)
	duration      float64 // seconds (0 when unknown)
}

// tools finds ffprobe and ffmpeg on PATH.
func tools() (ffprobe, ffmpeg string, err error) {
	if ffprobe, err = exec.LookPath("ffprobe"); err == nil {
		ffmpeg, err = exec.LookPath("ffmpeg")
	}
	if err != nil {
		return "", "", fmt.Errorf("videos need ffmpeg and ffprobe on PATH (Debian package ffmpeg: apt-get install ffmpeg): %w", err)
	}
	return ffprobe, ffmpeg, nil
}

// probe runs ffprobe on path.
func probe(ctx context.Context, ffprobe, path string) (probeInfo, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, ffprobe, "-v", "error", "-select_streams", "v:0", "-count_packets",
		"-show_entries", "stream=width,height,nb_read_packets,avg_frame_rate:format=duration", "-of", "json", "--", path)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return probeInfo{}, fmt.Errorf("ffprobe: %v: %s", err, lastLine(errb.String()))
	}
	var raw struct {
		Streams []struct {
			Width, Height int
			NbReadPackets string `json:"nb_read_packets"`
			AvgFrameRate  string `json:"avg_frame_rate"`
		}
		Format struct {
			Duration string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		return probeInfo{}, fmt.Errorf("ffprobe output: %w", err)
	}
	if len(raw.Streams) == 0 {
		return probeInfo{}, errors.New("no video stream")
	}
	s := raw.Streams[0]
	p := probeInfo{width: s.Width, height: s.Height}
	p.frames, _ = strconv.Atoi(s.NbReadPackets)
	if num, den, ok := strings.Cut(s.AvgFrameRate, "/"); ok {
		n, err1 := strconv.ParseFloat(num, 64)
		m, err2 := strconv.ParseFloat(den, 64)
		if err1 == nil && err2 == nil && m > 0 {
			p.fps = n / m
		}
	}
	p.duration, _ = strconv.ParseFloat(raw.Format.Duration, 64)
	if p.frames <= 0 || p.width <= 0 || p.height <= 0 {
		return p, fmt.Errorf("no decodable video frames (%d packets, %dx%d)", p.frames, p.width, p.height)
	}
	return p, nil
}

// sampleIndices are k frame numbers spread evenly over n frames, first and last
// included (numpy's linspace(0, n-1, k) truncated to integers, as DeepfakeBench
// samples test frames), without repeats.
func sampleIndices(n, k int) []int {
	if k >= n {
		k = n
	}
	var out []int
	for i := range k {
		v := 0
		if k > 1 {
			v = int(float64(i) * float64(n-1) / float64(k-1))
		}
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}

// extractFrames writes the frames idx of path as PNG files into dir (in order) and
// returns their paths; fewer than asked when the video ends early.
func extractFrames(ctx context.Context, ffmpeg, path, dir string, idx []int) ([]string, error) {
	terms := make([]string, len(idx))
	for i, v := range idx {
		terms[i] = fmt.Sprintf(`eq(n\,%d)`, v)
	}
	var errb bytes.Buffer
	cmd := exec.CommandContext(ctx, ffmpeg, "-nostdin", "-v", "error", "-i", path, "-map", "0:v:0",
		"-vf", "select="+strings.Join(terms, "+"), "-fps_mode", "passthrough", "-f", "image2",
		filepath.Join(dir, "%05d.png"))
	cmd.Stderr = &errb
	runErr := cmd.Run()
	files, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	sort.Strings(files)
	if len(files) > len(idx) {
		files = files[:len(idx)]
	}
	if len(files) == 0 {
		if runErr == nil {
			runErr = errors.New("no frame decoded")
		}
		return nil, fmt.Errorf("ffmpeg: %v: %s", runErr, lastLine(errb.String()))
	}
	return files, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

// detectVideo samples Options.Frames frames of the video at path, scores the faces
// of every frame in one batch and aggregates by VideoRule.
func (d *Detector) detectVideo(ctx context.Context, res FileResult, path string) FileResult {
	ffprobe, ffmpeg, err := tools()
	if err != nil {
		return d.fail(res, ErrNoFFmpeg, fmt.Errorf("%s: %w", res.File, err))
	}
	if err := d.acquire(ctx); err != nil {
		return d.fail(res, ErrCanceled, fmt.Errorf("%s: %w", res.File, err))
	}
	res, pixels, ok := d.videoCrops(ctx, res, ffprobe, ffmpeg, path)
	d.release()
	if !ok {
		return res
	}
	return d.scoreVideo(ctx, res, pixels)
}

// videoCrops probes the video, extracts the sampled frames and crops their
// faces; ok is false when res already reports an error.
func (d *Detector) videoCrops(ctx context.Context, res FileResult, ffprobe, ffmpeg, path string) (_ FileResult, _ [][]float32, ok bool) {
	info, err := probe(ctx, ffprobe, path)
	if err != nil {
		if ctx.Err() != nil {
			return d.fail(res, ErrCanceled, fmt.Errorf("%s: %w", res.File, ctx.Err())), nil, false
		}
		return d.fail(res, ErrVideo, fmt.Errorf("%s: %w", res.File, err)), nil, false
	}
	res.Width, res.Height = info.width, info.height
	if px := int64(info.width) * int64(info.height); px > int64(d.opts.MaxPixels) {
		return d.fail(res, ErrTooLarge, fmt.Errorf("%s: %dx%d frames have %d pixels, over the limit of %d", res.File, info.width, info.height, px, d.opts.MaxPixels)), nil, false
	}
	dir, err := os.MkdirTemp(d.opts.TempDir, "fairclip-frames-*")
	if err != nil {
		return d.fail(res, ErrInternal, fmt.Errorf("%s: temporary folder: %w", res.File, err)), nil, false
	}
	defer os.RemoveAll(dir)
	idx := sampleIndices(info.frames, d.opts.Frames)
	files, err := extractFrames(ctx, ffmpeg, path, dir, idx)
	if err != nil {
		if ctx.Err() != nil {
			return d.fail(res, ErrCanceled, fmt.Errorf("%s: %w", res.File, ctx.Err())), nil, false
		}
		return d.fail(res, ErrVideo, fmt.Errorf("%s: %w", res.File, err)), nil, false
	}
	frames := make([]Frame, len(files))
	var pixels [][]float32
	for j, f := range files {
		fr := Frame{Index: idx[j], Faces: []Face{}}
		if info.fps > 0 {
			fr.TimeS = float64(idx[j]) / info.fps
		}
		img, err := data.DecodeImage(f)
		if err != nil {
			fr.Error, fr.ErrorKind = fmt.Sprintf("frame %d: %v", idx[j], err), ErrUnreadable
			frames[j] = fr
			continue
		}
		rgb := data.ToRGB(img)
		// ffmpeg applies rotation metadata: boxes refer to the frames as decoded.
		res.Width, res.Height = rgb.W, rgb.H
		faces, px, err := d.faceCrops(rgb)
		if err != nil {
			return d.fail(res, ErrInternal, fmt.Errorf("%s: frame %d: %w", res.File, idx[j], err)), nil, false
		}
		if len(faces) == 0 {
			fr.Error, fr.ErrorKind = fmt.Sprintf("frame %d: no face found", idx[j]), ErrNoFace
			faces = []Face{}
		}
		fr.Faces = faces
		pixels = append(pixels, px...)
		frames[j] = fr
	}
	res.Frames = frames
	res.Video = &VideoScore{FramesSampled: len(files), Rule: VideoRule, DurationS: info.duration}
	if len(pixels) == 0 {
		return d.fail(res, ErrNoFace, fmt.Errorf("%s: no face found in any of the %d sampled frames", res.File, len(files))), nil, false
	}
	return res, pixels, true
}

// scoreVideo scores the crops of res's frames and aggregates by VideoRule.
func (d *Detector) scoreVideo(ctx context.Context, res FileResult, pixels [][]float32) FileResult {
	frames := res.Frames
	probs, err := d.score(ctx, pixels)
	if err != nil {
		return d.scoreFail(res, err)
	}
	sum, off := 0.0, 0
	for j := range frames {
		fr := &frames[j]
		if len(fr.Faces) == 0 {
			continue
		}
		p := d.labelFaces(fr.Faces, probs[off:off+len(fr.Faces)])
		off += len(fr.Faces)
		fr.Prob, fr.Label = &p, d.label(p)
		sum += p
		res.Video.FramesScored++
	}
	p := sum / float64(res.Video.FramesScored)
	res.Video.Prob = p
	res.Prob, res.Label = &p, d.label(p)
	return res
}
