// Package serve is fairclip's HTTP server: the detection API over one loaded model
// (POST /v1/detect answers what `fairclip detect --json` prints) and a dashboard of the
// run folders, reports and sweeps under a directory, in one process.
//
// Handlers are plain functions behind Server.Handler, so tests call them through
// httptest; ListenAndServe adds the listener, the explicit http.Server timeouts and the
// graceful shutdown that finishes in-flight requests.
package serve
