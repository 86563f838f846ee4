package api

import (
	"mime"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
)

// jsonBody returns the request body after checking that it is JSON and
// within MaxJSONBody.
func jsonBody(c *fiber.Ctx) ([]byte, error) {
	ct := c.Get(fiber.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil, apperr.E(apperr.Unsupported, "the request body must be application/json")
	}
	body := c.Body()
	if len(body) > MaxJSONBody {
		return nil, apperr.E(apperr.TooLarge, "the request body is larger than 1 MiB")
	}
	return body, nil
}

// decode strictly decodes the JSON body into v.
func decode(c *fiber.Ctx, v any) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	return input.Decode(body, v)
}
