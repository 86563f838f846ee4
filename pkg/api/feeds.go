package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/followup"
)

func (s *Server) registerFeedRoutes() {
	s.v1.Get("/feeds", s.handleFeedsGet)
	s.v1.Post("/feeds", s.handleFeedSetCreate)
	s.v1.Post("/feeds/rotate", s.handleFeedsRotate)
	s.v1.Delete("/feeds/:id", s.handleFeedSetDelete)
	s.v1.Get("/events/:id/event.ics", s.handleEventICS)
	// Feed URLs carry their own secret; the access log shows the route
	// pattern and a masked path, never the token.
	s.App.Get("/ical/:token/:file", s.handleFeed)
}

// FeedURLs is the body of GET /v1/feeds and POST /v1/feeds/rotate.
type FeedURLs struct {
	Events    string            `json:"events"`
	Followups string            `json:"followups"`
	All       string            `json:"all"`
	Webcal    map[string]string `json:"webcal"`
	// TokenShown is false when the URLs' token is masked: it is stored only
	// as a hash, so it is shown once; rotate to get new URLs.
	TokenShown bool   `json:"token_shown"`
	Note       string `json:"note,omitempty"`
	// Sets lists every set of feed links of the user, masked (GET only).
	Sets []FeedSetView `json:"sets,omitempty"`
}

// FeedSetView is one set of feed links: with its URLs when just made,
// masked when listed.
type FeedSetView struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Default    bool              `json:"default"`
	Events     string            `json:"events"`
	Followups  string            `json:"followups"`
	All        string            `json:"all"`
	Webcal     map[string]string `json:"webcal"`
	CreatedAt  time.Time         `json:"created_at"`
	LastUsedAt *time.Time        `json:"last_used_at"`
}

func (s *Server) feedSetView(set *accounts.FeedSet, token string) FeedSetView {
	u := s.feedURLs(token)
	return FeedSetView{ID: set.ID, Name: set.Name, Default: set.Default(), Events: u.Events, Followups: u.Followups, All: u.All,
		Webcal: u.Webcal, CreatedAt: set.CreatedAt, LastUsedAt: set.LastUsedAt}
}

func (s *Server) feedURLs(token string) FeedURLs {
	shown := token != ""
	if !shown {
		token = "rfd_…"
	}
	out := FeedURLs{TokenShown: shown, Webcal: map[string]string{}}
	out.Events, out.Followups, out.All = accounts.FeedURL(s.BaseURL, token, "events"), accounts.FeedURL(s.BaseURL, token, "followups"), accounts.FeedURL(s.BaseURL, token, "all")
	for _, feed := range accounts.Feeds {
		out.Webcal[feed] = accounts.WebcalURL(s.BaseURL, token, feed)
	}
	if !shown {
		out.Note = "the feed token is shown only when it is created; POST /v1/feeds/rotate makes new URLs (the old ones stop working)"
	}
	return out
}

func (s *Server) handleFeedsGet(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	tok, err := s.Accounts.FeedToken(ctx, user(c).ID)
	if err != nil {
		return err
	}
	out := s.feedURLs(tok)
	sets, err := s.Accounts.FeedSets(ctx, user(c).ID)
	if err != nil {
		return err
	}
	out.Sets = make([]FeedSetView, len(sets))
	for i := range sets {
		out.Sets[i] = s.feedSetView(&sets[i], "")
	}
	return c.JSON(out)
}

// FeedSetInput is the body of POST /v1/feeds.
type FeedSetInput struct {
	Name string `json:"name"`
}

// handleFeedSetCreate makes a named set of feed links (one per device);
// its URLs are in this answer only.
func (s *Server) handleFeedSetCreate(c *fiber.Ctx) error {
	var in FeedSetInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	set, tok, err := s.Accounts.CreateFeedSet(ctx, user(c).ID, in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s.feedSetView(set, tok))
}

func (s *Server) handleFeedSetDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	if err := s.Accounts.DeleteFeedSet(ctx, user(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) handleFeedsRotate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	tok, err := s.Accounts.RotateFeedToken(ctx, user(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(s.feedURLs(tok))
}

var feedFiles = map[string]string{"events.ics": crm.FeedEvents, "followups.ics": crm.FeedFollowups, "all.ics": crm.FeedAll}

// handleFeed serves a subscribed calendar (GET and HEAD), with a strong
// ETag and Last-Modified so clients polling an unchanged feed get a 304.
func (s *Server) handleFeed(c *fiber.Ctx) error {
	kind, ok := feedFiles[c.Params("file")]
	if !ok {
		return apperr.E(apperr.NotFound, "no such feed")
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u, err := s.Accounts.FeedUser(ctx, c.Params("token"))
	if err != nil {
		return err
	}
	nonce, changed, err := s.CRM.FeedVersion(ctx, u.ID)
	if err != nil {
		return err
	}
	last := changed
	if last.Before(u.CreatedAt) {
		last = u.CreatedAt
	}
	now := s.Now()
	key := feedKey{user: u.ID, kind: kind, nonce: nonce, day: now.UTC().Format("2006-01-02")}
	ent, ok := s.feeds.get(key, now)
	if !ok {
		// Calendar apps poll in crowds: after a change, one of them renders
		// and the others wait for that rendering instead of doing it again.
		v, err, _ := s.feeds.renders.Do(fmt.Sprint(key), func() (any, error) {
			cal, err := s.CRM.Feed(ctx, u, kind, s.BaseURL)
			if err != nil {
				return nil, err
			}
			ent, err := renderCalendar(cal)
			if err == nil {
				s.feeds.put(key, ent, now)
			}
			return ent, err
		})
		if err != nil {
			return err
		}
		ent = v.(*renderedFeed)
	}
	return s.writeCalendar(c, ent, last, "")
}

func (s *Server) handleEventICS(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	e, err := s.CRM.Events.Store.Event(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	ent, err := renderCalendar(calendar.Calendar{Events: []calendar.Event{followup.EventEntry(e, s.BaseURL)}})
	if err != nil {
		return err
	}
	return s.writeCalendar(c, ent, e.UpdatedAt, "event-"+e.ID+".ics")
}

// renderedFeed is an encoded calendar and its strong ETag.
type renderedFeed struct {
	body []byte
	etag string
}

func renderCalendar(cal calendar.Calendar) (*renderedFeed, error) {
	body, err := calendar.Encode(cal)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	return &renderedFeed{body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}, nil
}

// writeCalendar sends a calendar with validators, or 304 when the client has it.
func (s *Server) writeCalendar(c *fiber.Ctx, ent *renderedFeed, last time.Time, filename string) error {
	body, etag := ent.body, ent.etag
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderLastModified, last.UTC().Format(http.TimeFormat))
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	if filename != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	}
	if notModified(c.Get(fiber.HeaderIfNoneMatch), c.Get(fiber.HeaderIfModifiedSince), etag, last) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	return c.Send(body)
}

// notModified applies RFC 9110 §13.1: If-None-Match, when present, decides
// alone, with the weak comparison §13.1.2 asks for (W/"x" matches "x");
// otherwise If-Modified-Since, at second precision.
func notModified(inm, ims, etag string, last time.Time) bool {
	if inm != "" {
		opaque := strings.TrimPrefix(etag, "W/")
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == opaque {
				return true
			}
		}
		return false
	}
	if ims == "" {
		return false
	}
	since, err := http.ParseTime(ims)
	return err == nil && !last.Truncate(time.Second).After(since)
}

// feedKey identifies one rendering of a feed: the user's feed stamp nonce
// changes with every write that changes the feed, and the day bounds
// content that changes with time (cancelled events leave after 30 days).
type feedKey struct{ user, kind, nonce, day string }

// feedCache keeps rendered feeds, so that the many polls of calendar apps
// (and every 304) cost one small read instead of reading every event.
type feedCache struct {
	mu      sync.Mutex
	m       map[feedKey]feedCacheEntry
	renders singleflight.Group
}

type feedCacheEntry struct {
	feed *renderedFeed
	at   time.Time
}

// Feed cache bounds: a rendering older than feedCacheTTL is not used (a
// lost stamp write heals by itself), and at most feedCacheMax are kept.
const (
	feedCacheTTL = 10 * time.Minute
	feedCacheMax = 512
)

func (fc *feedCache) get(k feedKey, now time.Time) (*renderedFeed, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	e, ok := fc.m[k]
	if !ok || now.Sub(e.at) > feedCacheTTL || now.Before(e.at) {
		return nil, false
	}
	return e.feed, true
}

func (fc *feedCache) put(k feedKey, f *renderedFeed, now time.Time) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.m == nil {
		fc.m = map[feedKey]feedCacheEntry{}
	}
	for old := range fc.m {
		if old.user == k.user && old.kind == k.kind {
			delete(fc.m, old) // superseded rendering
		}
	}
	if len(fc.m) >= feedCacheMax {
		for old := range fc.m { // drop an arbitrary one
			delete(fc.m, old)
			break
		}
	}
	fc.m[k] = feedCacheEntry{feed: f, at: now}
}
