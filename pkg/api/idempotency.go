package api

import (
	"unicode"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// idempotent replays the first response to a POST with the same
// Idempotency-Key from the same user within 24 hours. Responses with a
// server-side error (5xx) are not kept, so the client's retry runs again.
func (s *Server) idempotent(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost || s.Idempotency == nil {
		return c.Next()
	}
	key := c.Get("Idempotency-Key")
	if key == "" || streamed(c) {
		// A streamed upload (an import) is not held in memory to fingerprint;
		// imports merge by email and LinkedIn URL, so a retry duplicates nothing.
		return c.Next()
	}
	if len(key) > 255 || !printable(key) {
		return apperr.InvalidField("Idempotency-Key", "must be 1 to 255 printable ASCII characters")
	}
	key = utils.CopyString(key)
	u := user(c)
	fp := idempotency.Fingerprint([]byte(c.Method()), []byte(c.Path()), c.Body())
	ctx, cancel := s.ctx(c)
	rec, err := s.Idempotency.Begin(ctx, u.ID, key, fp)
	cancel()
	if err != nil {
		return err
	}
	if rec != nil {
		c.Set("Idempotent-Replayed", "true")
		c.Set(fiber.HeaderContentType, rec.ContentType)
		return c.Status(rec.Status).Send(rec.Body)
	}
	if err := c.Next(); err != nil {
		if herr := s.App.ErrorHandler(c, err); herr != nil {
			return herr
		}
	}
	resp := c.Response()
	if err := s.Idempotency.End(c.UserContext(), u.ID, key, resp.StatusCode(), string(resp.Header.ContentType()),
		append([]byte(nil), resp.Body()...)); err != nil {
		s.Logger.Warn("idempotency record not saved", "err", err, "request_id", c.Locals(localRequestID))
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
