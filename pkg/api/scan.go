package api

import (
	"io"
	"mime"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/qr"
)

// Limits of POST /v1/scan.
const (
	// MaxScanImage bounds a photo of a code (413 above it).
	MaxScanImage = 5 << 20
)

func (s *Server) registerScanRoutes() {
	s.v1.Post("/scan", s.handleScan)
}

// handleScan reads a scanned code — its text as JSON {text}, or a photo of
// it (image/png, image/jpeg) decoded here with gozxing — and answers what
// it says about the person, to fill in the log form.
func (s *Server) handleScan(c *fiber.Ctx) error {
	mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	var text string
	switch mt {
	case "application/json":
		body, err := io.ReadAll(bodyReader(c, MaxJSONBody, 0))
		if err != nil {
			return err
		}
		var in struct {
			Text string `json:"text"`
		}
		if err := input.Decode(body, &in); err != nil {
			return err
		}
		text = in.Text
	case "image/png", "image/jpeg":
		body, err := io.ReadAll(bodyReader(c, MaxScanImage, 0))
		if err != nil {
			return err
		}
		ctx, cancel := s.ctx(c)
		defer cancel()
		if text, err = qr.Decode(ctx, body, "image"); err != nil {
			return err
		}
	default:
		return apperr.E(apperr.Unsupported, "send JSON {\"text\": ...} or a photo as image/png or image/jpeg")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	out, err := codec.FromCodeWith(ctx, text, s.FetchCard)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contact": out})
}
