package qr

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

func TestRoundTrip(t *testing.T) {
	const text = "https://crm.example.com/c/AAAAAAAAAAAAAAAAAAAAAA?e=BBBBBBBBBBBBBBBB"
	b, err := PNG(text, 480)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 480 {
		t.Fatalf("size %v", img.Bounds())
	}
	got, err := Decode(b, "image")
	if err != nil || got != text {
		t.Fatalf("Decode = %q, %v", got, err)
	}
	var blank bytes.Buffer
	png.Encode(&blank, image.NewGray(image.Rect(0, 0, 64, 64)))
	if _, err := Decode(blank.Bytes(), "image"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("no code: %v", err)
	}
	if _, err := Decode([]byte("not an image"), "photo"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("not an image: %v", err)
	}
}

// BenchmarkPNG: the card's QR code as served (480 px).
// Run: go test ./pkg/qr -run '^$' -bench . -benchtime 200x
func BenchmarkPNG(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := PNG("https://crm.example.com/c/AAAAAAAAAAAAAAAAAAAAAA?e=BBBBBBBBBBBBBBBB", 480); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode: reading a code from a 1,600 px photo-sized image, as
// /v1/scan and /app/scan do.
func BenchmarkDecode(b *testing.B) {
	data, err := PNG("MECARD:N:Hamilton,Margaret;EMAIL:margaret@example.com;;", 1600)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Decode(data, "image"); err != nil {
			b.Fatal(err)
		}
	}
}
