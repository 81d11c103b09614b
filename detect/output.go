package detect

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes r as indented JSON (the schema of Report).
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// CSVHeader is the header of WriteCSV: one row per scored face, and one row per
// failed file or faceless video frame (face columns empty, error set). prob and
// label are the face's; file_prob and file_label the file's answer (FrameRule for
// images, VideoRule for videos); frame is empty for images.
var CSVHeader = []string{"file", "kind", "frame", "time_s", "face", "x", "y", "w", "h",
	"crop_x", "crop_y", "crop_w", "crop_h", "detector_score", "prob", "label",
	"file_prob", "file_label", "threshold", "error_kind", "error",
	"run", "checkpoint", "epoch", "backbone"}

// WriteCSV writes r's rows under CSVHeader.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	m := r.Model
	f64 := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	model := []string{m.Run, m.Checkpoint, strconv.Itoa(m.Epoch), m.Backbone}
	for _, res := range r.Results {
		fileProb := ""
		if res.Prob != nil {
			fileProb = f64(*res.Prob)
		}
		row := func(frame, timeS string, face int, f *Face, errKind, errMsg string) error {
			rec := []string{res.File, res.Kind, frame, timeS, "", "", "", "", "", "", "", "", "", "", "", ""}
			if f != nil {
				rec[4] = strconv.Itoa(face)
				for i, v := range []int{f.Box.X, f.Box.Y, f.Box.W, f.Box.H, f.Crop.X, f.Crop.Y, f.Crop.W, f.Crop.H} {
					rec[5+i] = strconv.Itoa(v)
				}
				rec[13], rec[14], rec[15] = f64(f.DetectorScore), f64(f.Prob), f.Label
			}
			rec = append(rec, fileProb, res.Label, f64(res.Threshold), errKind, errMsg)
			return cw.Write(append(rec, model...))
		}
		var err error
		switch {
		case res.Kind == KindVideo && len(res.Frames) > 0:
			for _, fr := range res.Frames {
				fi, ts := strconv.Itoa(fr.Index), f64(fr.TimeS)
				if len(fr.Faces) == 0 {
					err = row(fi, ts, 0, nil, fr.ErrorKind, fr.Error)
				}
				for k := range fr.Faces {
					if err == nil {
						err = row(fi, ts, k, &fr.Faces[k], "", "")
					}
				}
				if err != nil {
					break
				}
			}
			if err == nil && res.Error != "" {
				err = row("", "", 0, nil, res.ErrorKind, res.Error)
			}
		case len(res.Faces) > 0:
			for k := range res.Faces {
				if err = row("", "", k, &res.Faces[k], res.ErrorKind, res.Error); err != nil {
					break
				}
			}
		default:
			err = row("", "", 0, nil, res.ErrorKind, res.Error)
		}
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes a readable table: the model line, then one row per file with
// its answer; image rows list the face boxes, video rows the frames scored.
func WriteTable(w io.Writer, r Report) error {
	m := r.Model
	thr := fmt.Sprintf("%.4g (%s", m.Threshold, m.ThresholdRule)
	if m.ThresholdFrom != "" {
		thr += " on " + m.ThresholdFrom
	}
	thr += ")"
	if _, err := fmt.Fprintf(w, "Model: run %s, checkpoint %s (epoch %d), backbone %s; threshold %s; faces: %s\n",
		m.Run, m.Checkpoint, m.Epoch, m.Backbone, thr, m.FaceDetector); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tKIND\tPROB\tLABEL\tDETAIL")
	for _, res := range r.Results {
		prob, label := "-", "ERROR"
		if res.Prob != nil {
			prob, label = fmt.Sprintf("%.4f", *res.Prob), res.Label
		}
		kind := res.Kind
		if kind == "" {
			kind = "-"
		}
		var detail string
		switch {
		case res.Error != "":
			detail = res.ErrorKind + ": " + res.Error
		case res.Video != nil:
			detail = fmt.Sprintf("%d of %d sampled frames with a face; %s", res.Video.FramesScored, res.Video.FramesSampled, VideoRule)
		default:
			var boxes []string
			for _, f := range res.Faces {
				boxes = append(boxes, fmt.Sprintf("[%d,%d %dx%d] %.4f", f.Box.X, f.Box.Y, f.Box.W, f.Box.H, f.Prob))
			}
			detail = fmt.Sprintf("%d face(s) %s", len(res.Faces), strings.Join(boxes, " "))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", res.File, kind, prob, label, detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d file(s), %d failed\n", len(r.Results), r.Failed)
	return err
}
