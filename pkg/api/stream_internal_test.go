package api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// syncBuffer is a log sink safe for the download goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestStreamOutFailsVisibly: a download whose writer fails midway cuts the
// connection (no final chunk), so the client gets an error rather than a
// short file, and the log says so.
func TestStreamOutFailsVisibly(t *testing.T) {
	var logs syncBuffer
	s := New(Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	half := strings.Repeat("name,email\n", 20_000)
	s.App.Get("/test/download", func(c *fiber.Ctx) error {
		fail := c.Query("fail") != ""
		return s.streamOut(c, "text/csv", "x.csv", func(ctx context.Context, w *bufio.Writer) error {
			if !fail {
				w.WriteString(half)
				return nil
			}
			w.WriteString(half)
			w.Flush()
			return errors.New("database disk image is malformed")
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.App.Listener(ln)
	t.Cleanup(func() { s.App.Shutdown() })
	get := func(q string) ([]byte, error) {
		resp, err := http.Get("http://" + ln.Addr().String() + "/test/download" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status=%d", resp.StatusCode)
		}
		return io.ReadAll(resp.Body)
	}
	t.Run("OK", func(t *testing.T) {
		body, err := get("")
		if err != nil || string(body) != half {
			t.Fatalf("read %d bytes, err=%v; want the whole file", len(body), err)
		}
	})
	t.Run("ErrMidway", func(t *testing.T) {
		body, err := get("?fail=1")
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("read %d bytes, err=%v; want io.ErrUnexpectedEOF (a cut connection)", len(body), err)
		}
		if !strings.Contains(logs.String(), "download failed midway") || !strings.Contains(logs.String(), "malformed") {
			t.Fatalf("log does not say the download failed:\n%s", logs.String())
		}
	})
}
