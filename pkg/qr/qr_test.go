package qr

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"runtime"
	"strings"
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
	got, err := Decode(t.Context(), b, "image")
	if err != nil || got != text {
		t.Fatalf("Decode = %q, %v", got, err)
	}
	var blank bytes.Buffer
	png.Encode(&blank, image.NewGray(image.Rect(0, 0, 64, 64)))
	if _, err := Decode(t.Context(), blank.Bytes(), "image"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("no code: %v", err)
	}
	if _, err := Decode(t.Context(), []byte("not an image"), "photo"); !apperr.Is(err, apperr.Invalid) {
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
		if _, err := Decode(b.Context(), data, "image"); err != nil {
			b.Fatal(err)
		}
	}
}

// bombPNG is a PNG whose header claims w×h pixels of 16-bit RGBA and
// whose data is a few bytes: what a decompression bomb looks like before
// anything is decoded.
func bombPNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(kind)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		binary.Write(&b, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 16, 6 // 16 bits a channel, RGBA
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, 1024))
	zw.Close()
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return b.Bytes()
}

// TestDecodeRefusesBombs: an image whose header claims more than
// MaxPixels, or more than MaxDecodedBytes in its pixel format, is refused
// from its header, before any pixel is decoded (the reported 7,000×7,000
// 16-bit PNG took 5 s and 760 MB).
func TestDecodeRefusesBombs(t *testing.T) {
	for _, size := range [][2]uint32{{7000, 7000}, {4096, 4096}, {1, 20_000_000}} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Decode(t.Context(), bombPNG(size[0], size[1]), "image")
		runtime.ReadMemStats(&after)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "pixels") {
			t.Fatalf("%d×%d: %v", size[0], size[1], err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
			t.Fatalf("%d×%d: refusing it allocated %d MiB", size[0], size[1], grew>>20)
		}
	}
}

// TestDecodeWaitsForATurn: with every turn taken, a decode waits, and
// gives up when its request ends.
func TestDecodeWaitsForATurn(t *testing.T) {
	for range Decodes {
		turns <- struct{}{}
	}
	defer func() {
		for range Decodes {
			<-turns
		}
	}()
	b, _ := PNG("hello", 200)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Decode(ctx, b, "image"); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("with no turn free: %v", err)
	}
}

// TestEveryCardCodeReads: card URLs whose code, with the mask the encoder
// prefers, ZXing's detector cannot find (it takes shapes in the data for
// a finder pattern; about one in a hundred), and a sample of random ones,
// all read back through Decode, as the scan page reads a photo of a card.
func TestEveryCardCodeReads(t *testing.T) {
	urls := []string{
		"http://rapport.test/c/x_cK--l7C_PP-b-Ihe5syg?e=5khxIyAwNMbFwjCu",
		"http://rapport.test/c/9Ad9xAAd0pr7JkoQSK17HQ?e=9cVuqkroNjjISdDe",
		"http://rapport.test/c/llmZt2D6vq79eB8j21Y9Hw?e=aigZn2GI1J7n0S1Y",
	}
	for range randomCodes {
		a, b := make([]byte, 16), make([]byte, 12)
		rand.Read(a)
		rand.Read(b)
		urls = append(urls, "http://rapport.test/c/"+base64.RawURLEncoding.EncodeToString(a)+"?e="+base64.RawURLEncoding.EncodeToString(b))
	}
	for _, u := range urls {
		data, err := PNG(u, 480)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Decode(t.Context(), data, "image"); err != nil || got != u {
			t.Errorf("%s: read back %q, %v", u, got, err)
		}
	}
}
