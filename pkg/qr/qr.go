// Package qr draws and reads QR codes with gozxing (a maintained port of
// ZXing, which both encodes and decodes, so one library serves the card's
// QR code and the scan of someone else's).
package qr

import (
	"bytes"
	"context"
	"image"
	"image/color"
	_ "image/jpeg" // decode JPEG photos of codes
	"image/png"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// MaxPixels refuses images that would decode to more pixels than a phone
// photo has (a small file can claim a huge size): 4096×4096. The scan page
// scales photos to 1,600 px before sending them.
const MaxPixels = 4096 * 4096

// MaxDecodedBytes bounds what one image may take once decoded, whatever
// its pixel format (a 16-bit PNG takes 8 bytes a pixel).
const MaxDecodedBytes = 64 << 20

// Decodes is how many images are decoded at once in the process; more
// wait for a turn (or for their request to end), so that concurrent
// uploads cannot add up to more memory than Decodes × MaxDecodedBytes and
// what reading them takes.
const Decodes = 2

var turns = make(chan struct{}, Decodes)

// bytesPerPixel is what a decoded pixel of model takes.
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3
	}
	return 4
}

// PNG draws text as a QR code of size×size pixels (error correction M,
// a quiet zone of 2 modules) and returns it as a PNG. The code is read
// back with ZXing's detector before it is returned: about one code in a
// hundred, with the mask the encoder prefers, holds shapes in its data
// that the detector takes for a finder pattern, so no scanner built on it
// (the scan page's included) could read it. Then the other masks are
// tried in turn and the first that reads back is drawn.
func PNG(text string, size int) ([]byte, error) {
	var m *gozxing.BitMatrix
	for mask := -1; mask < 8; mask++ { // -1: the encoder's choice
		hints := map[gozxing.EncodeHintType]interface{}{
			gozxing.EncodeHintType_ERROR_CORRECTION: "M",
			gozxing.EncodeHintType_MARGIN:           2,
		}
		if mask >= 0 {
			hints[gozxing.EncodeHintType_QR_MASK_PATTERN] = mask
		}
		drawn, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, size, size, hints)
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = drawn // if none reads back, the encoder's choice
		}
		if readsBack(drawn, text) {
			m = drawn
			break
		}
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// readsBack reports whether ZXing's detector finds m and reads text in it,
// as a scanner given a photo of it would.
func readsBack(m *gozxing.BitMatrix, text string) bool {
	bmp, err := gozxing.NewBinaryBitmapFromImage(m)
	if err != nil {
		return false
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	return err == nil && res.GetText() == text
}

// Decode finds a QR code in a PNG or JPEG image and returns its text;
// none is an Invalid error naming field. The image's size is read from its
// header first: one that would decode to more than MaxPixels or
// MaxDecodedBytes is refused before anything is decoded. It waits for one
// of the Decodes turns; Unavailable if ctx ends first.
func Decode(ctx context.Context, data []byte, field string) (string, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", apperr.InvalidField(field, "is not a PNG or JPEG image")
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	if cfg.Width <= 0 || cfg.Height <= 0 || px > MaxPixels || px*int64(bytesPerPixel(cfg.ColorModel)) > MaxDecodedBytes {
		return "", apperr.InvalidField(field, "is %d×%d pixels; send a photo of at most 4096×4096 (16 megapixels, 8 bits a channel)", cfg.Width, cfg.Height)
	}
	select {
	case turns <- struct{}{}:
		defer func() { <-turns }()
	case <-ctx.Done():
		return "", apperr.E(apperr.Unavailable, "too many images are being read; try again")
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
