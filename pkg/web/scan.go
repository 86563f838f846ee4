package web

import (
	"errors"
	"io"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/qr"
)

// handleWebScanPage shows the camera (the browser's BarcodeDetector, in
// scan.js) and, for browsers without one, a photo upload.
func (s *pages) handleWebScanPage(c *fiber.Ctx) error {
	return s.render(c, 200, "scan", s.page(c, "Scan a card", "scan"))
}

// handleWebScan reads a code — the text the camera found, or a photo
// decoded here — and opens the log form filled in with it.
func (s *pages) handleWebScan(c *fiber.Ctx) error {
	p := s.page(c, "Scan a card", "scan")
	text := utils.CopyString(c.FormValue("text"))
	if text == "" {
		data, err := uploadedPhoto(c)
		if err != nil {
			return s.scanProblem(c, p, err)
		}
		if data == nil {
			p.Problem = "Point the camera at a QR code, or choose a photo of one."
			return s.render(c, fiber.StatusUnprocessableEntity, "scan", p)
		}
		dctx, cancel := s.ctx(c)
		text, err = qr.Decode(dctx, data, "photo")
		cancel()
		if err != nil {
			return s.scanProblem(c, p, err)
		}
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	got, err := codec.FromCodeWith(ctx, text, s.FetchCard)
	if err != nil {
		return s.scanProblem(c, p, err)
	}
	lp := s.page(c, "Log a contact", "log")
	lp.Form = map[string]string{"name": got.Name, "company": got.Company, "title": got.Title, "linkedin_url": got.LinkedInURL, "moment": "after_talk"}
	if len(got.Emails) > 0 {
		lp.Form["email"] = got.Emails[0]
	}
	if len(got.Phones) > 0 {
		lp.Form["phone"] = got.Phones[0]
	}
	lp.Notice = "Read from the code: check the details, pick the event and save."
	return s.renderLog(c, 200, lp)
}

// uploadedPhoto returns the photo of the scan form (nil if none was sent),
// at most api.MaxScanImage bytes.
func uploadedPhoto(c *fiber.Ctx) ([]byte, error) {
	fh, err := c.FormFile("photo")
	if err != nil || fh.Size == 0 {
		return nil, nil
	}
	if fh.Size > api.MaxScanImage {
		return nil, apperr.E(apperr.TooLarge, "the photo is larger than 5 MiB")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, api.MaxScanImage))
}

// scanProblem shows the scan page again with what went wrong.
func (s *pages) scanProblem(c *fiber.Ctx, p webPage, err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || (ae.Kind != apperr.Invalid && ae.Kind != apperr.TooLarge) {
		return err
	}
	status := fiber.StatusUnprocessableEntity
	if ae.Kind == apperr.TooLarge {
		status = fiber.StatusRequestEntityTooLarge
	}
	p.Problem = "Could not read that: " + ae.Public() + ". Codes with a vCard, a MECARD, an email (mailto:) or a LinkedIn profile work."
	for _, f := range ae.Fields {
		p.Problem = "Could not read that: the " + f.Field + " " + f.Message + ". Codes with a vCard, a MECARD, an email (mailto:) or a LinkedIn profile work."
	}
	return s.render(c, status, "scan", p)
}
