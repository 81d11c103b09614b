package detect

// Defaults and fixed rules.
const (
	// DefaultFrames is the number of frames sampled evenly from a video: 32, the
	// test-time frame count of DeepfakeBench's detector configs (frame_num test: 32).
	DefaultFrames = 32
	// DefaultMaxPixels is the largest image (width*height) decoded: 40 megapixels.
	// A larger image is reported with ErrorKind "too_large" and not decoded.
	DefaultMaxPixels = 40_000_000
	// DefaultThreshold is the decision threshold when none is asked for.
	DefaultThreshold = 0.5
	// CropScale is the crop side relative to the detected face box side.
	CropScale = 1.3
	// VideoRule names how a video's probability is computed from its frames.
	VideoRule = "mean of frame probabilities (frames with a face)"
	// FrameRule names how an image's or frame's probability is computed from its faces.
	FrameRule = "max over faces"
)

// Labels.
const (
	LabelFake = "fake"
	LabelReal = "real"
)

// Kinds of input.
const (
	KindImage = "image"
	KindVideo = "video"
)

// Error kinds (FileResult.ErrorKind, Frame.ErrorKind): stable strings a client may switch on.
const (
	ErrUnreadable  = "unreadable"   // not an image or video, or a corrupt/truncated image
	ErrNoFace      = "no_face"      // the face detector found no face (never scored as a whole frame)
	ErrTooLarge    = "too_large"    // more pixels than Options.MaxPixels
	ErrVideo       = "video_decode" // ffprobe/ffmpeg could not read the video
	ErrNoFFmpeg    = "no_ffmpeg"    // ffmpeg/ffprobe not on PATH (Debian package ffmpeg)
	ErrNotFound    = "not_found"    // the path does not exist or cannot be opened
	ErrSymlinkLoop = "symlink_loop" // a symbolic link loop (or a link back into a walked folder)
	ErrInternal    = "internal"     // the model failed (a bug, or the backend)
	ErrCanceled    = "canceled"     // the context ended before the file was scored
)

// Options configure Load. The zero value is the default of every field.
type Options struct {
	// Checkpoint is "best" (default; falls back to "latest" when the run has no best),
	// "latest", or a checkpoint file (.safetensors) of the run's configuration.
	Checkpoint string
	// Threshold is "" or "0.5" (default), a value in (0, 1), or a rule applied to the
	// run's validation scores of the checkpoint's epoch: "eer", "youden", "best-acc"
	// (alias "max-acc"), "fpr=X". Prob >= threshold is labelled fake.
	Threshold string
	// Frames is the number of video frames sampled evenly (0: DefaultFrames).
	Frames int
	// NoFaceDetect scores the whole image or frame as one face (already-cropped faces).
	NoFaceDetect bool
	// MaxPixels caps width*height of a decoded image or frame (0: DefaultMaxPixels).
	MaxPixels int
	// Backend is the GoMLX backend spec ("" : the run configuration's, else "go").
	Backend string
	// Workers decode and crop in parallel (0: GOMAXPROCS).
	Workers int
	// Batch is the number of faces per model call (0: 32).
	Batch int
	// MinFaceSize is the smallest face side searched, in pixels (0: 10% of the
	// shorter image side, at least 20).
	MinFaceSize int
	// Cascade is a pico-format face cascade file ("" : the embedded facefinder,
	// see cascade/NOTICE for its terms).
	Cascade string
	// TempDir is the parent of the private temporary folders videos are decoded in
	// ("" : os.TempDir()). Each folder is removed when its video is done.
	TempDir string
}

// ModelInfo identifies the model that produced an answer. JSON schema (object "model"):
//
//	run            string   the run folder as given
//	checkpoint     string   checkpoint file used
//	epoch          int      checkpoint epoch
//	config_hash    string   hash of the run configuration stored in the checkpoint
//	backbone       string   CLIP backbone identity: "sha256:<hex>" of the weights file, or a random spec
//	preprocess     string   the preprocessing applied to crops (mode, resolution, mean, std)
//	threshold      number   decision threshold (prob >= threshold is fake)
//	threshold_rule string   "fixed" or the rule ("eer", "youden", "max-acc", "fpr=X")
//	threshold_from string   score file the rule was applied to (omitted when fixed)
//	val_metrics    object   the checkpoint's validation metrics (auc, acc, eer, ap, ...)
//	face_detector  string   "pigo facefinder" or "none (--no-face-detect)"
//	crop_scale     number   CropScale
//	frames         int      frames sampled per video
type ModelInfo struct {
	Run           string             `json:"run"`
	Checkpoint    string             `json:"checkpoint"`
	Epoch         int                `json:"epoch"`
	ConfigHash    string             `json:"config_hash"`
	Backbone      string             `json:"backbone"`
	Preprocess    string             `json:"preprocess"`
	Threshold     float64            `json:"threshold"`
	ThresholdRule string             `json:"threshold_rule"`
	ThresholdFrom string             `json:"threshold_from,omitempty"`
	ValMetrics    map[string]float64 `json:"val_metrics,omitempty"`
	FaceDetector  string             `json:"face_detector"`
	CropScale     float64            `json:"crop_scale"`
	Frames        int                `json:"frames"`
}

// Box is a rectangle in pixels of the image or frame: x, y of the top-left corner,
// w, h its size. JSON: {"x":..,"y":..,"w":..,"h":..}.
type Box struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// Face is one scored face. JSON schema:
//
//	box            Box     the face detector's box (the whole image under --no-face-detect)
//	crop           Box     the square crop that was scored (CropScale * box, kept inside the image)
//	detector_score number  the detector's confidence (0 under --no-face-detect)
//	prob           number  probability of fake from the Stage 2 head
//	label          string  "fake" (prob >= threshold) or "real"
type Face struct {
	Box           Box     `json:"box"`
	Crop          Box     `json:"crop"`
	DetectorScore float64 `json:"detector_score"`
	Prob          float64 `json:"prob"`
	Label         string  `json:"label"`
}

// Frame is one sampled video frame. JSON schema:
//
//	index      int     frame number in the video (0-based, decode order)
//	time_s     number  presentation time in seconds
//	faces      [Face]  scored faces (empty when none was found)
//	prob       number  the frame's probability (FrameRule: max over faces); null when no face
//	label      string  "fake"/"real"; "" when no face
//	error      string  why the frame was not scored (e.g. "no face found"), omitted when scored
//	error_kind string  one of the Err* kinds, omitted when scored
type Frame struct {
	Index     int      `json:"index"`
	TimeS     float64  `json:"time_s"`
	Faces     []Face   `json:"faces"`
	Prob      *float64 `json:"prob"`
	Label     string   `json:"label"`
	Error     string   `json:"error,omitempty"`
	ErrorKind string   `json:"error_kind,omitempty"`
}

// VideoScore is the per-video aggregate. JSON schema:
//
//	frames_sampled int     frames decoded
//	frames_scored  int     frames with at least one face
//	prob           number  VideoRule: mean of the scored frames' probabilities
//	rule           string  VideoRule
//	duration_s     number  the video's duration from ffprobe (0 when unknown)
type VideoScore struct {
	FramesSampled int     `json:"frames_sampled"`
	FramesScored  int     `json:"frames_scored"`
	Prob          float64 `json:"prob"`
	Rule          string  `json:"rule"`
	DurationS     float64 `json:"duration_s"`
}

// FileResult is the answer for one input file. JSON schema (one element of "results"):
//
//	file       string   the path as found (or the upload's name)
//	kind       string   "image" or "video" ("" when unreadable)
//	width      int      image or frame width in pixels (0 when unknown)
//	height     int      image or frame height
//	faces      [Face]   images: every scored face (omitted for videos)
//	frames     [Frame]  videos: every sampled frame (omitted for images)
//	video      object   videos: VideoScore (omitted for images)
//	prob       number   the file's answer: images FrameRule, videos VideoRule; null on error
//	label      string   "fake" or "real"; "" on error
//	threshold  number   the decision threshold used
//	error      string   what went wrong, naming the file; omitted when ok
//	error_kind string   one of the Err* kinds; omitted when ok
type FileResult struct {
	File      string      `json:"file"`
	Kind      string      `json:"kind"`
	Width     int         `json:"width"`
	Height    int         `json:"height"`
	Faces     []Face      `json:"faces,omitempty"`
	Frames    []Frame     `json:"frames,omitempty"`
	Video     *VideoScore `json:"video,omitempty"`
	Prob      *float64    `json:"prob"`
	Label     string      `json:"label"`
	Threshold float64     `json:"threshold"`
	Error     string      `json:"error,omitempty"`
	ErrorKind string      `json:"error_kind,omitempty"`
}

// OK reports whether the file was scored.
func (r FileResult) OK() bool { return r.Error == "" && r.Prob != nil }

// Report is the whole output of `fairclip detect --json` (and of POST /v1/detect,
// with one result). JSON schema:
//
//	model   ModelInfo     the model identity and threshold
//	results [FileResult]  one per input file, in input order (folders: sorted walk order)
//	failed  int           number of results with an error
//	skipped int           files in folders passed over as not media (by extension)
type Report struct {
	Model   ModelInfo    `json:"model"`
	Results []FileResult `json:"results"`
	Failed  int          `json:"failed"`
	Skipped int          `json:"skipped"`
}

// NewReport wraps results with the model identity and counts the failures.
func NewReport(m ModelInfo, results []FileResult) Report {
	r := Report{Model: m, Results: results}
	if r.Results == nil {
		r.Results = []FileResult{}
	}
	for _, f := range results {
		if !f.OK() {
			r.Failed++
		}
	}
	return r
}
