package serve

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3 document of every route (checked against the route table
// in the tests).
//
//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI) //nolint:errcheck
}
