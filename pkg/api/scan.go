package api

import (
	"bytes"
	"image"
	_ "image/jpeg" // decode JPEG photos of codes
	_ "image/png"  // and PNGs
	"io"
	"mime"

	"github.com/gofiber/fiber/v2"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
)

// Limits of POST /v1/scan.
const (
	// MaxScanImage bounds a photo of a code (413 above it).
	MaxScanImage = 5 << 20
	// maxScanPixels refuses images that would decode to more pixels than
	// a phone photo has (a small file can claim a huge size).
	maxScanPixels = 50_000_000
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
		body, err := io.ReadAll(bodyReader(c, MaxJSONBody))
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
		body, err := io.ReadAll(bodyReader(c, MaxScanImage))
		if err != nil {
			return err
		}
		if text, err = decodeCode(body); err != nil {
			return err
		}
	default:
		return apperr.E(apperr.Unsupported, "send JSON {\"text\": ...} or a photo as image/png or image/jpeg")
	}
	out, err := contacts.FromCode(c.UserContext(), text)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"contact": out})
}

// decodeCode finds a QR code in an image and returns its text; none is
// a 422 naming the image.
func decodeCode(data []byte) (string, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", apperr.InvalidField("image", "is not a PNG or JPEG image")
	}
	if cfg.Width*cfg.Height > maxScanPixels || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", apperr.InvalidField("image", "is %d×%d pixels; at most 50 megapixels", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", apperr.InvalidField("image", "could not be decoded: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", apperr.InvalidField("image", "could not be read")
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", apperr.InvalidField("image", "holds no QR code that could be read")
	}
	return res.GetText(), nil
}
