package serve

import (
	"encoding/base64"
	"html/template"
	"mime"
	"net/http"

	"github.com/fairclip/fairclip/detect"
)

func (d *dashboard) handleUploadForm(w http.ResponseWriter, r *http.Request) {
	d.render(w, http.StatusOK, "upload", "Detect", "detect", struct {
		MaxMiB int64
		Model  detect.ModelInfo
	}{d.s.opts.MaxUploadBytes >> 20, d.s.scorer.Model()})
}

// resultView is one scored upload on the result page.
type resultView struct {
	R       detect.FileResult
	Overlay template.URL // data: URI of the PNG with the faces drawn
}

// handleUpload is the upload form's target: the same detection as POST /v1/detect,
// answered as a page with the face boxes drawn on the image.
func (d *dashboard) handleUpload(w http.ResponseWriter, r *http.Request) {
	ups, err := d.s.readUploads(w, r)
	if err != nil {
		code, msg := errorCode(err)
		d.errorPage(w, code, msg)
		return
	}
	out, err := d.s.score(r.Context(), ups, true)
	if err != nil {
		code, msg := errorCode(err)
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		d.errorPage(w, code, msg)
		return
	}
	views := make([]resultView, len(out))
	for i, o := range out {
		views[i].R = o.res
		if o.overlay != nil {
			// The PNG is drawn by the server from the decoded upload: a trusted data URI.
			views[i].Overlay = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(o.overlay))
		}
	}
	d.render(w, http.StatusOK, "result", "Detection result", "detect", struct {
		Results []resultView
		Model   detect.ModelInfo
	}{views, d.s.scorer.Model()})
}

func (d *dashboard) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if d.s.opts.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d.render(w, http.StatusOK, "login", "Sign in", "", "")
}

// handleLogin checks the token typed into the login form and keeps it in an HttpOnly,
// same-site cookie so that the browser's page and image requests carry it.
func (d *dashboard) handleLogin(w http.ResponseWriter, r *http.Request) {
	if d.s.opts.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	// Only a small URL-encoded form: a multipart body here could make the standard
	// library spool files to the system's temporary folder.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		d.render(w, http.StatusUnsupportedMediaType, "login", "Sign in", "", "send the login form")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	tok := r.PostFormValue("token")
	if !d.s.tokenMatches(tok) {
		d.render(w, http.StatusUnauthorized, "login", "Sign in", "", "wrong token")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: tok, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
