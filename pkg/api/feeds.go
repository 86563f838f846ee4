package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/followup"
)

func (s *Server) registerFeedRoutes() {
	s.v1.Get("/feeds", s.handleFeedsGet)
	s.v1.Post("/feeds/rotate", s.handleFeedsRotate)
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
}

func (s *Server) feedURLs(token string) FeedURLs {
	shown := token != ""
	if !shown {
		token = "rfd_…"
	}
	base := s.BaseURL + "/ical/" + token + "/"
	webcal := "webcal://" + strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	out := FeedURLs{Events: base + "events.ics", Followups: base + "followups.ics", All: base + "all.ics", TokenShown: shown,
		Webcal: map[string]string{"events": webcal + "events.ics", "followups": webcal + "followups.ics", "all": webcal + "all.ics"}}
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
	return c.JSON(s.feedURLs(tok))
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
	cal, last, err := s.CRM.Feed(ctx, u, kind, s.BaseURL)
	if err != nil {
		return err
	}
	return s.sendCalendar(c, cal, last, "")
}

func (s *Server) handleEventICS(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	e, err := s.CRM.Events.Get(ctx, user(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	cal := calendar.Calendar{Events: []calendar.Event{followup.EventEntry(e, s.BaseURL)}}
	return s.sendCalendar(c, cal, e.UpdatedAt, "event-"+e.ID+".ics")
}

// sendCalendar writes cal with validators, or 304 when the client has it.
func (s *Server) sendCalendar(c *fiber.Ctx, cal calendar.Calendar, last time.Time, filename string) error {
	body, err := calendar.Encode(cal)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
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
// alone (strong comparison); otherwise If-Modified-Since, at second precision.
func notModified(inm, ims, etag string, last time.Time) bool {
	if inm != "" {
		for _, t := range strings.Split(inm, ",") {
			if t = strings.TrimSpace(t); t == "*" || t == etag {
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
