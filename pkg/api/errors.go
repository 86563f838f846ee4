package api

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// statusOf is the one table from error kinds to HTTP statuses.
var statusOf = map[apperr.Kind]int{
	apperr.Internal:     fiber.StatusInternalServerError,
	apperr.Invalid:      fiber.StatusUnprocessableEntity,
	apperr.Malformed:    fiber.StatusBadRequest,
	apperr.NotFound:     fiber.StatusNotFound,
	apperr.Conflict:     fiber.StatusConflict,
	apperr.Unauthorized: fiber.StatusUnauthorized,
	apperr.Forbidden:    fiber.StatusForbidden,
	apperr.Unavailable:  fiber.StatusServiceUnavailable,
	apperr.TooLarge:     fiber.StatusRequestEntityTooLarge,
	apperr.Unsupported:  fiber.StatusUnsupportedMediaType,
	apperr.RateLimited:  fiber.StatusTooManyRequests,
}

// kindOfStatus maps Fiber's own errors (no route, body too large…) back to kinds.
var kindOfStatus = map[int]apperr.Kind{
	fiber.StatusBadRequest:            apperr.Malformed,
	fiber.StatusNotFound:              apperr.NotFound,
	fiber.StatusRequestEntityTooLarge: apperr.TooLarge,
	fiber.StatusUnsupportedMediaType:  apperr.Unsupported,
	fiber.StatusTooManyRequests:       apperr.RateLimited,
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type       string              `json:"type"`
	Title      string              `json:"title"`
	Status     int                 `json:"status"`
	Detail     string              `json:"detail,omitempty"`
	Errors     []apperr.FieldError `json:"errors,omitempty"`
	ExistingID string              `json:"existing_id,omitempty"`
	RequestID  string              `json:"request_id,omitempty"`
}

// handleError is Fiber's ErrorHandler: every error a handler returns ends here.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, ae := Answer(c, err)
	if status >= 500 {
		s.Logger.Error("request failed", "kind", ae.Kind.String(), "err", err,
			"route", c.Route().Path, "method", c.Method(), "request_id", RequestID(c))
	}
	if ae.Kind == apperr.Internal {
		ae = apperr.E(apperr.Internal, "internal error; the request id identifies it in the server's log")
	}
	return s.writeProblem(c, status, ae)
}

// Answer is the status and the error a request that failed with err
// answers with, from the one table of kinds: Fiber's own errors (no
// route, a body too large) given their kinds, anything without a kind
// Internal. It sets Retry-After on c where the kind has one. The caller
// logs a status of 500 or more with err, and shows an Internal error's
// cause to nobody.
func Answer(c *fiber.Ctx, err error) (int, *apperr.Error) {
	var ae *apperr.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &fe):
		kind, ok := kindOfStatus[fe.Code]
		if !ok {
			// 405 and friends: keep Fiber's status and message.
			return fe.Code, &apperr.Error{Kind: apperr.Invalid, Message: fe.Message}
		}
		msg := fe.Message
		switch kind {
		case apperr.NotFound:
			msg = "no such route"
		case apperr.TooLarge:
			msg = "the request body is too large"
		}
		ae = &apperr.Error{Kind: kind, Message: msg, Err: err}
	default:
		ae = apperr.Wrap(apperr.Internal, err, "internal error")
	}
	if ae.Kind == apperr.RateLimited && ae.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ae.RetryAfter))
	}
	if ae.Kind == apperr.Unavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	return statusOf[ae.Kind], ae
}

// RequestID is the id the request is logged under (empty before the
// middleware gave it one).
func RequestID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

func (s *Server) writeProblem(c *fiber.Ctx, status int, ae *apperr.Error) error {
	p := Problem{
		Type:       "urn:rapport:problem:" + ae.Kind.String(),
		Title:      titleOf(status),
		Status:     status,
		Detail:     ae.Message,
		Errors:     ae.Fields,
		ExistingID: ae.ExistingID,
	}
	p.RequestID = RequestID(c)
	c.Status(status)
	if status == fiber.StatusUnauthorized {
		// RFC 9110 §11.6.1: a 401 names the scheme to answer with.
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="Rapport"`)
	}
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}

func titleOf(status int) string {
	if t := utils.StatusMessage(status); t != "" {
		return t
	}
	return fmt.Sprintf("HTTP %d", status)
}

func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.Logger.Error("panic in handler", "panic", fmt.Sprint(e), "route", c.Route().Path,
		"request_id", c.Locals(localRequestID), "stack", string(debug.Stack()))
}
