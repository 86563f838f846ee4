package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
)

// jsonBody returns the request body after checking that it is JSON and
// within MaxJSONBody. bodyInMemory has read it into memory (and refused more
// than MaxJSONBody) on every route but the uploads, which do not call this.
func jsonBody(c *fiber.Ctx) ([]byte, error) {
	ct := c.Get(fiber.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil, apperr.E(apperr.Unsupported, "the request body must be application/json")
	}
	if streamed(c) || len(c.Body()) > MaxJSONBody { // never read a stream unbounded
		return nil, apperr.E(apperr.TooLarge, "the request body is larger than 1 MiB")
	}
	return c.Body(), nil
}

// streamed reports whether the body is being streamed (it is larger than
// the server's in-memory limit, or chunked) rather than held in memory.
func streamed(c *fiber.Ctx) bool { return c.Context().RequestBodyStream() != nil }

// bodyReader returns the body as a stream bounded by limit; reading past the
// limit fails with TooLarge. A streamed body is read from its stream, never
// through c.Body(), which would read all of it into memory first, however
// long (a 400 MB upload held the server at 1 GB before it was refused).
//
// An upload read as it is written (an import, a restore) is read at the
// pace of the writer every user shares, so it may read until wait from
// now, not only until the server's read timeout, which began with the
// request (sixteen 10 MiB imports at once ran out of it).
func bodyReader(c *fiber.Ctx, limit int64, wait time.Duration) io.Reader {
	if st := stream(c); st != nil {
		if wait > 0 {
			c.Context().Conn().SetReadDeadline(time.Now().Add(wait))
		}
		return &limitedReader{r: st, left: limit, limit: limit}
	}
	return &limitedReader{r: bytes.NewReader(c.Body()), left: limit, limit: limit}
}

// localStream keeps a request's body stream as stream wraps it.
const localStream = "rapport.body_stream"

// bodyStream is a request's body stream that notes whether its last read
// ended the body. fasthttp's chunked stream, read again after its last
// chunk, waits for another until the read deadline: drain, reading what
// is left after a handler, made every chunked upload answer 30 s late.
type bodyStream struct {
	r     io.Reader
	ended bool
}

func (b *bodyStream) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.ended = err == io.EOF
	return n, err
}

// stream is c's body stream, the same on every call; nil when the body is
// in memory.
func stream(c *fiber.Ctx) *bodyStream {
	if st, ok := c.Locals(localStream).(*bodyStream); ok {
		return st
	}
	r := c.Context().RequestBodyStream()
	if r == nil {
		return nil
	}
	st := &bodyStream{r: r}
	c.Locals(localStream, st)
	return st
}

type limitedReader struct {
	r           io.Reader
	left, limit int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, apperr.E(apperr.TooLarge, "the upload is larger than %d MiB", l.limit>>20)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, uploadError(err)
}

// uploadError is what a failed read of an upload means for its client —
// never a server error (sixteen 10 MiB imports at once, read at the
// writer's pace, hit the 30 s read deadline and answered 500): past the
// deadline Unavailable, to be sent again; any other failure Malformed.
func uploadError(err error) error {
	var ne net.Error
	switch {
	case err == nil || err == io.EOF || apperr.KindOf(err) != apperr.Internal:
		return err
	case errors.As(err, &ne) && ne.Timeout():
		return apperr.Wrap(apperr.Unavailable, err, "the upload was not read to its end in time; send it again")
	default:
		return apperr.Wrap(apperr.Malformed, err, "the upload stopped before its end")
	}
}

// decode strictly decodes the JSON body into v.
func decode(c *fiber.Ctx, v any) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	return input.Decode(body, v)
}

// uploadRoute reports whether the request is one of the uploads that read
// their body as a stream (contacts import, backup restore).
// pageUploads are the pages' forms that send files, and the most each may
// send (read into memory: fasthttp parses a multipart form there).
var pageUploads = map[string]uploadLimit{
	"/app/scan": {MaxScanImage + 64<<10, "5 MiB"}, // a photo
	// A contacts file, then (confirming its preview) the same file carried
	// back base64-encoded in the form.
	"/app/import":         {MaxImportBody + 64<<10, "10 MiB"},
	"/app/import/confirm": {MaxImportBody*4/3 + 64<<10, "10 MiB of contacts"},
	"/app/backup/restore": {MaxBackupBody + 64<<10, "100 MiB"},
}

// pageUploadOf is the upload limit of a page's form at path: pageUploads,
// or an event's guest list (/app/events/{id}/guests).
func pageUploadOf(path string) (uploadLimit, bool) {
	if up, ok := pageUploads[path]; ok {
		return up, true
	}
	if rest, ok := strings.CutPrefix(path, "/app/events/"); ok && strings.HasSuffix(rest, "/guests") && strings.Count(rest, "/") == 1 {
		return uploadLimit{MaxGuestListBody + 64<<10, "5 MiB"}, true
	}
	return uploadLimit{}, false
}

// uploadLimit is the most a page's form may send, and that limit in words.
type uploadLimit struct {
	limit int64
	what  string
}

func uploadRoute(c *fiber.Ctx) bool {
	p := c.Path()
	return c.Method() == fiber.MethodPost && (p == "/v1/contacts/import" || p == "/v1/import" || p == "/v1/scan" ||
		strings.HasPrefix(p, "/v1/events/") && strings.HasSuffix(p, "/attendees/import"))
}

// bodyInMemory runs first: fasthttp streams request bodies (any size, with
// StreamRequestBody), so for every route but the uploads it reads the body
// into memory, refusing more than MaxJSONBody. A streamed request's
// connection is closed afterwards, since what a handler left unread would
// otherwise be read as the next request.
func (s *Server) bodyInMemory(c *fiber.Ctx) error {
	if streamed(c) && !uploadRoute(c) {
		limit, what := int64(MaxJSONBody), "1 MiB"
		if up, ok := pageUploadOf(c.Path()); ok && c.Method() == fiber.MethodPost {
			limit, what = up.limit, up.what
		}
		b, err := io.ReadAll(io.LimitReader(stream(c), limit+1))
		if err != nil {
			c.Context().SetConnectionClose()
			return apperr.Wrap(apperr.Malformed, err, "the request body could not be read")
		}
		if int64(len(b)) > limit {
			drain(c)
			return apperr.E(apperr.TooLarge, "the request body is larger than %s", what)
		}
		c.Request().SetBody(b)
	}
	err := c.Next()
	if streamed(c) {
		drain(c)
	}
	return err
}

// maxDrain bounds how much of a refused or half-read body is read and thrown
// away, so that the client finishes sending and can read the answer (a
// server that closes while the client still writes makes it see a reset).
const maxDrain = 16 << 20

// drain discards up to maxDrain bytes of what is left of a streamed body
// (nothing once a read ended it) and marks the connection to be closed
// after the response.
func drain(c *fiber.Ctx) {
	if st := stream(c); st != nil && !st.ended {
		io.CopyN(io.Discard, st, maxDrain)
	}
	c.Context().SetConnectionClose()
}
