package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
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
		s.App.Add(method, "/mcp", s.checkMCPOrigin, s.authenticateCalls, h)
	}
}

// checkMCPOrigin refuses a browser's request to /mcp from a page of any
// origin but the server's own and those in CRM_MCP_ORIGINS, as the MCP
// specification asks of every server (DNS rebinding: a page that gets a
// token by other means still cannot use it from another site). Requests
// without an Origin — desktop clients, assistants' own servers — pass.
func (s *Server) checkMCPOrigin(c *fiber.Ctx) error {
	origin := strings.TrimRight(strings.ToLower(c.Get(fiber.HeaderOrigin)), "/")
	if origin == "" {
		return c.Next()
	}
	if u, err := url.Parse(s.BaseURL); err == nil && origin == strings.ToLower(u.Scheme+"://"+u.Host) {
		return c.Next()
	}
	if slices.Contains(s.MCPOrigins, origin) {
		return c.Next()
	}
	return apperr.E(apperr.Forbidden, "requests to /mcp from a web page at %s are refused; list its origin in CRM_MCP_ORIGINS to allow them", utils.CopyString(c.Get(fiber.HeaderOrigin)))
}
