package api

import (
	"net/http"

	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/assistant"
)

// registerMCPRoutes mounts the Model Context Protocol endpoint (PRODUCT.md
// §9) behind the API's bearer-token authentication (and its limit on
// failed attempts). It is stateless: POST carries every call; GET and
// DELETE answer 405, which tells a client there is no stream to open.
func (s *Server) registerMCPRoutes() {
	h := adaptor.HTTPHandler(assistant.Handler(assistant.Deps{
		CRM: s.CRM, Idempotency: s.Idempotency, Logger: s.Logger, MaxBody: MaxJSONBody, Version: "1",
		UserOf: func(r *http.Request) *accounts.User {
			// The adaptor's request context is Fiber's: its values are the locals.
			u, _ := r.Context().Value(localUser).(*accounts.User)
			return u
		},
	}))
	for _, method := range []string{http.MethodPost, http.MethodGet, http.MethodDelete} {
		s.App.Add(method, "/mcp", s.authenticate, h)
	}
}
