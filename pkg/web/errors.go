package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// problemView is the page a request to the pages that failed answers
// with: what went wrong in words, and what to do about it.
type problemView struct {
	Hint, RequestID string
}

// problemTitles name each kind of failure on its page.
var problemTitles = map[apperr.Kind]string{
	apperr.Invalid:      "Not saved",
	apperr.Malformed:    "Not saved",
	apperr.Conflict:     "Not saved",
	apperr.NotFound:     "Not found",
	apperr.Unauthorized: "Sign in again",
	apperr.Forbidden:    "Not allowed",
	apperr.TooLarge:     "Too large",
	apperr.Unsupported:  "Not a kind of file Rapport reads",
	apperr.RateLimited:  "Too many at once",
	apperr.Unavailable:  "Busy",
	apperr.Internal:     "Something went wrong",
}

// pageErrors answers an error a page handler returns with a page, not the
// API's problem+json: a browser would show that document as text. The
// status is the API's for the same error (the phone's offline queue reads
// it), and a failure of the server's own is logged with its cause, as the
// API logs it, and shown to nobody.
func (s *pages) pageErrors(c *fiber.Ctx) error {
	err := c.Next()
	if err == nil || !isPage(c.Path()) {
		return err
	}
	status, ae := api.Answer(c, err)
	p := s.page(c, problemTitles[ae.Kind], "")
	v := &problemView{}
	switch {
	case status >= 500:
		s.Logger.Error("request failed", "kind", ae.Kind.String(), "err", err,
			"route", c.Route().Path, "method", c.Method(), "request_id", api.RequestID(c))
		if ae.Kind == apperr.Unavailable {
			p.Problem = "Rapport is busy: " + ae.Message + "."
			v.Hint = "Try again in a few seconds."
		} else {
			p.Problem = "Something went wrong on the server's side, not yours."
			v.Hint, v.RequestID = "Try again. If it happens again, the server's log has it under this request id:", api.RequestID(c)
		}
	case ae.Kind == apperr.NotFound:
		p.Problem = sentence(strings.Replace(ae.Message, "no such route", "no such page", 1))
		v.Hint = "It may have been deleted, or the link is not one of yours."
	default:
		line, ok := problemLine(ae)
		if !ok {
			line = ae.Message
		}
		p.Problem = p.Title + ": " + line
		switch ae.Kind {
		case apperr.Invalid, apperr.Conflict, apperr.Malformed:
			v.Hint = "Go back with your browser's Back button: what you typed is still in the form."
		case apperr.Forbidden:
			v.Hint = "Go back with your browser's Back button, reload the page and send the form again."
		}
	}
	p.Data = v
	if rerr := s.render(c, status, "problem", p); rerr != nil {
		return err
	}
	return nil
}

// isPage reports whether path is one of the pages' (Fiber's Use matches
// by prefix: "/c" would match "/calendars" too).
func isPage(path string) bool {
	return path == "/app" || strings.HasPrefix(path, "/app/") || strings.HasPrefix(path, "/c/")
}

// sentence is msg with a capital and a full stop.
func sentence(msg string) string {
	if msg == "" {
		return ""
	}
	return strings.ToUpper(msg[:1]) + strings.TrimSuffix(msg[1:], ".") + "."
}
