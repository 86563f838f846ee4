package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// listParams reads ?limit= (default 50, at most 200) and ?cursor=.
func listParams(c *fiber.Ctx) (int, *record.Cursor, error) {
	limit := record.DefaultLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > record.MaxLimit {
			return 0, nil, apperr.InvalidField("limit", "must be a whole number from 1 to %d", record.MaxLimit)
		}
		limit = n
	}
	cur, err := record.DecodeCursor(c.Query("cursor"))
	return limit, cur, err
}

// timeParam reads an RFC 3339 query parameter; absent is nil.
func timeParam(c *fiber.Ctx, name string) (*time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return nil, apperr.InvalidField(name, "must be an RFC 3339 time such as 2026-11-24T18:30:00Z")
	}
	t = record.Time(t)
	return &t, nil
}

// textParam reads a query parameter (copied: Fiber reuses its memory) and
// checks its length.
func textParam(c *fiber.Ctx, name string, max int) (string, error) {
	v := c.Query(name)
	if len(v) > max {
		return "", apperr.InvalidField(name, "is longer than %d bytes", max)
	}
	return string([]byte(v)), nil
}
