// Package qr draws and reads QR codes with gozxing (a maintained port of
// ZXing, which both encodes and decodes, so one library serves the card's
// QR code and the scan of someone else's).
package qr

import (
	"bytes"
	"image"
	_ "image/jpeg" // decode JPEG photos of codes
	"image/png"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// MaxPixels refuses images that would decode to more pixels than a phone
// photo has (a small file can claim a huge size).
const MaxPixels = 50_000_000

// PNG draws text as a QR code of size×size pixels (error correction M,
// a quiet zone of 2 modules) and returns it as a PNG.
func PNG(text string, size int) ([]byte, error) {
	hints := map[gozxing.EncodeHintType]interface{}{
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           2,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, size, size, hints)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Decode finds a QR code in a PNG or JPEG image and returns its text;
// none is an Invalid error naming field.
func Decode(data []byte, field string) (string, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", apperr.InvalidField(field, "is not a PNG or JPEG image")
	}
	if cfg.Width*cfg.Height > MaxPixels || cfg.Width <= 0 || cfg.Height <= 0 {
		return "", apperr.InvalidField(field, "is %d×%d pixels; at most 50 megapixels", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", apperr.InvalidField(field, "could not be decoded: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", apperr.InvalidField(field, "could not be read")
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", apperr.InvalidField(field, "holds no QR code that could be read")
	}
	return res.GetText(), nil
}
