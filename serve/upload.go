package serve

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"unicode"
)

// MaxFilesPerRequest bounds the files of one detection request.
const MaxFilesPerRequest = 16

// upload is one received file, spooled under the server's private folder with a name
// the server made up; the client's name is only a label.
type upload struct {
	name string // display name from the client, sanitized
	path string // server-chosen file in the private folder
	size int64
}

// httpError is an error with the status it should be answered with.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// displayName keeps the last element of a client's file name, printable characters
// only, at most 200 bytes; it is echoed in results and never used as a path.
func displayName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "upload"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// removeUploads deletes the spooled files.
func removeUploads(ups []upload) {
	for _, u := range ups {
		os.Remove(u.path)
	}
}

// spool copies r into a new file of the private folder.
func (s *Server) spool(name string, r io.Reader) (upload, error) {
	f, err := os.CreateTemp(s.tmp, "upload-*")
	if err != nil {
		return upload{}, fmt.Errorf("spool upload: %w", err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return upload{}, err
	}
	return upload{name: displayName(name), path: f.Name(), size: n}, nil
}

// readUploads receives the files of a detection request: multipart/form-data (every
// part with a file name, or named "file"), or JSON {"name":..,"data":base64} /
// {"files":[{"name":..,"data":..},...]}. The body is capped at MaxUploadBytes.
// On error nothing stays on disk.
func (s *Server) readUploads(w http.ResponseWriter, r *http.Request) (ups []upload, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxUploadBytes)
	defer func() {
		if err != nil {
			removeUploads(ups)
			ups = nil
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				err = &httpError{http.StatusRequestEntityTooLarge,
					fmt.Sprintf("request body over the limit of %d bytes", s.opts.MaxUploadBytes)}
			}
		}
	}()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		ups, err = s.readMultipart(r)
	case "application/json":
		ups, err = s.readJSON(r)
	default:
		return nil, &httpError{http.StatusUnsupportedMediaType,
			fmt.Sprintf("content type %q: send multipart/form-data with a file, or application/json with base64 data", mt)}
	}
	if err == nil && len(ups) == 0 {
		err = badRequest("no file in the request (multipart part with a file name, or JSON \"data\")")
	}
	return ups, err
}

func (s *Server) readMultipart(r *http.Request) ([]upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("multipart body: %v", err)
	}
	var ups []upload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return ups, nil
		}
		if err != nil {
			return ups, wrapBody(err, "multipart body")
		}
		if part.FileName() == "" && part.FormName() != "file" {
			_, err := io.Copy(io.Discard, part) // other form fields are ignored
			part.Close()
			if err != nil {
				return ups, wrapBody(err, "multipart body")
			}
			continue
		}
		if len(ups) == MaxFilesPerRequest {
			part.Close()
			return ups, badRequest("more than %d files in one request", MaxFilesPerRequest)
		}
		name := part.FileName()
		if name == "" {
			name = "upload"
		}
		u, err := s.spool(name, part)
		part.Close()
		if err != nil {
			return ups, wrapBody(err, "multipart file "+displayName(name))
		}
		ups = append(ups, u)
	}
}

// jsonFile is one file of a JSON detection request.
type jsonFile struct {
	Name string `json:"name"`
	Data string `json:"data"` // standard base64 (padding optional)
}

type jsonRequest struct {
	jsonFile
	Files []jsonFile `json:"files"`
}

func (s *Server) readJSON(r *http.Request) ([]upload, error) {
	var req jsonRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, wrapBody(err, "JSON body")
	}
	files := req.Files
	if req.Data != "" {
		files = append([]jsonFile{req.jsonFile}, files...)
	}
	if len(files) > MaxFilesPerRequest {
		return nil, badRequest("more than %d files in one request", MaxFilesPerRequest)
	}
	var ups []upload
	for i, f := range files {
		data := strings.TrimRight(f.Data, "=")
		dec := base64.NewDecoder(base64.RawStdEncoding, strings.NewReader(data))
		name := f.Name
		if name == "" {
			name = fmt.Sprintf("upload-%d", i+1)
		}
		u, err := s.spool(name, dec)
		if err != nil {
			return ups, badRequest("file %d (%s): base64 data: %v", i+1, displayName(name), err)
		}
		ups = append(ups, u)
	}
	return ups, nil
}

// wrapBody keeps a body-size error recognizable and turns the rest into 400s.
func wrapBody(err error, what string) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	return badRequest("%s: %v", what, err)
}
