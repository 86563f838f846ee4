// Package dav puts Rapport in the apps people already use (PRODUCT.md §6):
// every contact as a card in the phone's address book (CardDAV, RFC 6352)
// and every follow-up as a task in its reminders (CalDAV VTODOs, RFC
// 4791), both two-way. It is emersion/go-webdav's servers over the CRM's
// services, behind its own HTTP Basic authentication (the user's email and
// an API token), mounted on the API's Fiber app through the net/http
// adaptor. Every lookup is scoped to the authenticated user: another
// user's card is a 404.
package dav

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-vcard"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/emersion/go-webdav/carddav"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/valyala/fasthttp"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// Paths of the DAV tree. go-webdav tells resources apart by depth under
// its prefix: principal, home set, collection, object.
const (
	Root          = "/dav"
	cardPrefix    = "/dav/card"
	PrincipalPath = cardPrefix + "/me/"
	homePath      = cardPrefix + "/me/books/"
	// BookPath is the user's one address book ("Rapport").
	BookPath = homePath + "rapport/"
)

// MaxCard bounds one card sent by a client (413 above it).
const MaxCard = 1 << 20

// Methods are the HTTP methods beyond the standard ones that DAV clients
// send, served or answered 405; the Fiber app must know them
// (fiber.Config.RequestMethods).
var Methods = append([]string{"PROPFIND", "PROPPATCH", "REPORT"}, unsupported...)

// Deps are what the DAV server needs from the rest of the process.
type Deps struct {
	Accounts *accounts.Service
	CRM      *crm.Service
	// AuthFails is the limiter on failed sign-ins shared with the API.
	AuthFails *ratelimit.Failures
	// Requests are the users' turns at running a request, shared with
	// the API (nil: turns of its own, a few per user at once).
	Requests *ratelimit.Turns
	Logger   *slog.Logger
	Now      func() time.Time
	// BaseURL is the public URL tasks link to.
	BaseURL string
	// Changes is the journal sync-collection reads; nil: no sync tokens.
	Changes Changes
}

// Server serves the DAV tree.
type Server struct {
	Deps
	cards *carddav.Handler
	tasks *caldav.Handler
	// listings are the books as last listed (see listings).
	listings listings
	// turns are the users' turns at listing a whole collection (see
	// listsAll).
	turns ratelimit.Turns
}

// New returns the DAV server.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.AuthFails == nil {
		d.AuthFails = ratelimit.NewFailures(ratelimit.AuthFailLimit, ratelimit.AuthFailWindow, d.Now)
	}
	if d.Requests == nil {
		d.Requests = &ratelimit.Turns{Per: ratelimit.ReadsPerUser()}
	}
	s := &Server{Deps: d}
	s.cards = &carddav.Handler{Backend: &cards{s: s}, Prefix: cardPrefix}
	s.tasks = &caldav.Handler{Backend: &tasks{s: s}, Prefix: calPrefix}
	return s
}

// Register mounts the DAV tree and its discovery URL on app.
func Register(app *fiber.App, d Deps) *Server {
	s := New(d)
	serve := adaptor.HTTPHandler(s)
	h := func(c *fiber.Ctx) error {
		err := serve(c)
		unpooled(&c.Context().Response)
		return err
	}
	for _, m := range append([]string{fiber.MethodGet, fiber.MethodHead, fiber.MethodPut, fiber.MethodDelete, fiber.MethodOptions}, Methods...) {
		app.Add(m, Root+"/*", h)
	}
	for _, m := range []string{fiber.MethodGet, "PROPFIND"} {
		app.Add(m, "/.well-known/carddav", h)
		app.Add(m, "/.well-known/caldav", h)
	}
	return s
}

// userKey keys the authenticated user in a request's context.
type userKey struct{}

func userOf(ctx context.Context) *accounts.User {
	u, _ := ctx.Value(userKey{}).(*accounts.User)
	return u
}

// sentKey keys the request body as the client sent it (before unfolding).
type sentKey struct{}

// sentBody is the body of the request being served, as sent.
func sentBody(ctx context.Context) []byte {
	b, _ := ctx.Value(sentKey{}).([]byte)
	return b
}

// takeRequest waits (at most ratelimit.ReadWait, within ctx) for one of
// userID's turns at running a read (ratelimit.Reads: a PUT or a DELETE
// takes none).
func (s *Server) takeRequest(ctx context.Context, method, userID string) (release func(), err error) {
	if !ratelimit.Reads(method) {
		return func() {}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, ratelimit.ReadWait)
	defer cancel()
	return s.Requests.Take(ctx, userID)
}

// takeListing waits (within ctx) for userID's turn at listing a whole
// collection, or answers 503. One at a time for a user: sixteen PROPFINDs
// at once of a book of 30,000 cards, each answer 13 MB built in memory,
// took the server to 770 MB and other users' writes to 121 ms at the
// median. The others wait their turn; a listing kept from the one before
// answers them fast. The turn is given back once the answer has been
// sent (or the client has gone), not once it is built: the adaptor keeps
// a whole answer in memory until the client has read it, and one user's
// slow readers held one each (sixteen of a 233,897-card book took the
// server to 4.2 GB). So the turn is left in answer's values, which
// fasthttp closes once it has written the answer, or failed to, and done,
// for the caller to defer, does nothing — unless there is no fasthttp
// answer (nil), when done gives the turn back.
func (s *Server) takeListing(ctx context.Context, w http.ResponseWriter, answer *fasthttp.RequestCtx, userID string) (done func(), ok bool) {
	release, err := s.turns.Take(ctx, userID)
	if err != nil {
		busy(w, "another listing of this account is being sent; try again once it has finished")
		return nil, false
	}
	if answer == nil {
		return release, true
	}
	answer.SetUserValue(heldTurnKey{}, &heldTurn{release: release})
	return func() {}, true
}

// maxPooledAnswer is the largest answer whose memory goes back to
// fasthttp's pool of response bodies once sent: a book of 30,000 cards
// lists in 3 MB, and its next listing reusing the buffer is 5-7 % faster
// than growing one anew.
const maxPooledAnswer = 16 << 20

// unpooled lets a larger answer's memory go once it is sent. The adaptor
// writes an answer into a body buffer from fasthttp's pool, which keeps
// each buffer at the largest it ever grew: sixteen connections listing a
// 233,897-card book left sixteen buffers of 100 MB and more, and the
// server at 4 GB.
func unpooled(resp *fasthttp.Response) {
	if len(resp.Body()) > maxPooledAnswer {
		resp.SetBodyRaw(resp.SwapBody(nil)) // the bytes, not a copy; the buffer goes back empty
	}
}

// heldTurnKey keys, in a request's fasthttp values, the listing's turn
// its answer holds until sent.
type heldTurnKey struct{}

// heldTurn is a turn fasthttp gives back: it closes a request's values
// that are io.Closers once the answer has been written (or the connection
// has failed).
type heldTurn struct {
	once    sync.Once
	release func()
}

// Close gives the turn back (once).
func (h *heldTurn) Close() error {
	h.once.Do(h.release)
	return nil
}

// busy answers 503, to be tried again in 5 seconds, saying why.
func busy(w http.ResponseWriter, why string) {
	w.Header().Set("Retry-After", "5")
	http.Error(w, why, http.StatusServiceUnavailable)
}

// listsAll says whether r may answer with every item of a collection: a
// REPORT (a query, a multiget, a sync), or a PROPFIND deeper than the
// resource itself.
func listsAll(r *http.Request) bool {
	return r.Method == "REPORT" || (r.Method == "PROPFIND" && r.Header.Get("Depth") != "0")
}

// ServeHTTP authenticates the request and hands it to the CardDAV handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/.well-known/carddav":
		http.Redirect(w, r, PrincipalPath, http.StatusMovedPermanently)
		return
	case "/.well-known/caldav":
		http.Redirect(w, r, TasksPrincipal, http.StatusMovedPermanently)
		return
	}
	// Through the adaptor, the request's context is fasthttp's: what lives
	// as long as the answer does.
	answer, _ := r.Context().(*fasthttp.RequestCtx)
	u, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	if r.ContentLength > MaxCard {
		http.Error(w, "a card is at most 1 MiB", http.StatusRequestEntityTooLarge)
		return
	}
	var body, sent []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, MaxCard+1))
		if err != nil {
			http.Error(w, "could not read the request body", http.StatusBadRequest)
			return
		}
		if len(body) > MaxCard {
			http.Error(w, "a card is at most 1 MiB", http.StatusRequestEntityTooLarge)
			return
		}
		sent = body
		if r.Method == http.MethodPut {
			// Check what go-webdav will decode without guards: go-ical
			// panics on some input, go-vcard joins folds in quadratic time.
			switch {
			case strings.HasPrefix(r.URL.Path, calPrefix+"/"):
				if err := calendar.Check(body); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
			case strings.HasPrefix(r.URL.Path, cardPrefix+"/"):
				body = codec.UnfoldCard(body)
				if err := checkCard(body); err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	// Not r.Context(): through the adaptor that is fasthttp's RequestCtx,
	// whose Done races with the server's shutdown; the API's handlers use
	// a context of their own too.
	outcome := &putOutcome{}
	ctx := context.WithValue(context.WithValue(context.Background(), userKey{}, u), sentKey{}, sent)
	ctx, cancel := context.WithTimeout(context.WithValue(ctx, putOutcomeKey{}, outcome), 2*time.Minute)
	defer cancel()
	r = r.WithContext(ctx)
	// One of the user's turns at running a request (shared with the API).
	running, err := s.takeRequest(ctx, r.Method, u.ID)
	if err != nil {
		busy(w, "this account has too many requests running at once; try again once they have finished")
		return
	}
	defer running()
	if listsAll(r) {
		done, ok := s.takeListing(ctx, w, answer, u.ID)
		if !ok {
			return
		}
		defer done()
	}
	if s.front(w, r, body) {
		return
	}
	if r.Method == "PROPFIND" && len(bytes.TrimSpace(body)) == 0 {
		body = []byte(allPropBody)
		r.Header.Set("Content-Type", "application/xml")
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	if r.Method == http.MethodPut {
		w = putWriter{w, outcome}
	}
	if s.Changes != nil {
		// What go-webdav lacks: sync-collection (RFC 6578), and the sync
		// token, ctag and report set on the collections that tell clients
		// to use it.
		if c := s.collectionAt(r.URL.Path); c != nil {
			switch {
			case r.Method == "REPORT" && bytes.Contains(body, []byte("sync-collection")):
				s.handleSync(w, r, c, body)
				return
			case r.Method == "PROPFIND":
				// Depth 0, or 1 (also when absent: infinity is refused in
				// front, and a collection holds no collections).
				s.handleCollectionProps(w, r, c, body, strings.TrimSpace(r.Header.Get("Depth")) != "0")
				return
			}
		}
	}
	switch {
	case r.URL.Path == Root || r.URL.Path == Root+"/":
		// Some clients start at the root: it names the principal.
		if r.Method == "PROPFIND" {
			http.Redirect(w, r, PrincipalPath, http.StatusMovedPermanently)
			return
		}
		w.Header().Set("DAV", "1, 3, addressbook, calendar-access")
		w.WriteHeader(http.StatusOK)
	case strings.HasPrefix(r.URL.Path, cardPrefix+"/"):
		s.cards.ServeHTTP(w, r)
	case strings.HasPrefix(r.URL.Path, calPrefix+"/"):
		s.tasks.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

// authenticate checks HTTP Basic credentials: the user's email and one of
// the user's API tokens. Failures count towards the limiter the API uses.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*accounts.User, bool) {
	ip := clientIP(r)
	if wait := s.AuthFails.Blocked(ip); wait > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(ratelimit.RetryAfter(wait)))
		http.Error(w, "too many failed sign-ins; retry later", http.StatusTooManyRequests)
		return nil, false
	}
	email, token, ok := r.BasicAuth()
	if ok {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		u, _, err := s.Accounts.Authenticate(ctx, strings.TrimSpace(token))
		switch {
		case err == nil && strings.EqualFold(u.Email, strings.TrimSpace(email)):
			return u, true
		case err != nil && !apperr.Is(err, apperr.Unauthorized):
			s.Logger.Error("dav: authenticate", "err", err)
			http.Error(w, "the store is not available; retry later", http.StatusServiceUnavailable)
			return nil, false
		}
		s.AuthFails.Fail(ip)
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="Rapport", charset="UTF-8"`)
	http.Error(w, "sign in with your email and an API token", http.StatusUnauthorized)
	return nil, false
}

// clientIP is the address the request came from (the adaptor keeps
// Fiber's view of it in RemoteAddr).
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// davError turns a service error into the HTTP error go-webdav answers
// with; an internal one is logged and answered without detail.
func (s *Server) davError(err error) error {
	code, msg := s.status(err)
	return webdav.NewHTTPError(code, errors.New(msg))
}

// status is the HTTP status and message a service error is answered
// with; an internal one is logged and answered without detail.
func (s *Server) status(err error) (int, string) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		if errors.Is(err, context.DeadlineExceeded) {
			return http.StatusServiceUnavailable, "the store did not answer in time"
		}
		s.Logger.Error("dav", "err", err)
		return http.StatusInternalServerError, "internal error"
	}
	code := http.StatusInternalServerError
	switch ae.Kind {
	case apperr.NotFound:
		code = http.StatusNotFound
	case apperr.Invalid:
		code = http.StatusBadRequest
	case apperr.Conflict:
		code = http.StatusConflict
	case apperr.Unavailable:
		code = http.StatusServiceUnavailable
	case apperr.Forbidden:
		code = http.StatusForbidden
	case apperr.TooLarge:
		code = http.StatusRequestEntityTooLarge
	}
	if code == http.StatusInternalServerError {
		s.Logger.Error("dav", "err", err)
		return code, "internal error"
	}
	return code, ae.Public() // never the cause: driver text is for the logs
}

// etag is the strong ETag of an encoded card.
func etag(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// encode writes card as go-webdav will send it. A listing encodes every
// card of a book: the encoders (which keep their buffers between cards)
// are pooled, and each card costs one allocation, its bytes.
func encode(card vcard.Card) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer encoders.Put(e)
	e.out.Reset()
	if err := e.enc.Encode(card); err != nil {
		return nil, err
	}
	return bytes.Clone(e.out.Bytes()), nil
}

// encoder is a vCard encoder and the buffer it writes to.
type encoder struct {
	out bytes.Buffer
	enc *vcard.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = vcard.NewEncoder(&e.out)
	return e
}}

// checkCard decodes a card as go-webdav will, with a panic turned into an
// error.
func checkCard(data []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("not a valid vCard: %v", p)
		}
	}()
	if _, err := vcard.NewDecoder(bytes.NewReader(data)).Decode(); err != nil {
		return fmt.Errorf("not a valid vCard: %w", err)
	}
	return nil
}
