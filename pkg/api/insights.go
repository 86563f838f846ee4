package api

import (
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"github.com/rapport-crm/rapport/pkg/crm"
)

func (s *Server) registerInsightRoutes() {
	s.v1.Get("/insights", s.handleInsights)
}

// insightCache keeps computed insights under the user's feed and contacts
// stamps, which every write that can change them moves: on the embedded
// store the pipelines read whole collections, so a repeat view is served
// from memory. Entries live at most insightTTL (lapsed contacts and overdue
// follow-ups change with time alone).
type insightCache struct {
	mu    sync.Mutex
	m     map[string]insightEntry
	loads singleflight.Group
}

type insightEntry struct {
	v  *crm.Insights
	at time.Time
}

const (
	insightTTL      = 5 * time.Minute
	insightCacheMax = 1024
)

func (s *Server) handleInsights(c *fiber.Ctx) error {
	from, err := timeParam(c, "from")
	if err != nil {
		return err
	}
	to, err := timeParam(c, "to")
	if err != nil {
		return err
	}
	now := s.Now()
	f, t, err := crm.InsightWindow(from, to, now)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	feedNonce, _, err := s.CRM.FeedVersion(ctx, u.ID)
	if err != nil {
		return err
	}
	contactsNonce, err := s.CRM.ContactsVersion(ctx, u.ID)
	if err != nil {
		return err
	}
	key := fmt.Sprint(u.ID, "|", f.UnixMilli(), "|", t.UnixMilli(), "|", feedNonce, "|", contactsNonce)
	ic := &s.insights
	ic.mu.Lock()
	e, ok := ic.m[key]
	ic.mu.Unlock()
	if ok && now.Sub(e.at) < insightTTL && !now.Before(e.at) {
		return c.JSON(e.v)
	}
	v, err, _ := ic.loads.Do(key, func() (any, error) {
		ins, err := s.CRM.Insights(ctx, u, f, t)
		if err != nil {
			return nil, err
		}
		ic.mu.Lock()
		defer ic.mu.Unlock()
		if ic.m == nil || len(ic.m) >= insightCacheMax {
			ic.m = map[string]insightEntry{}
		}
		ic.m[key] = insightEntry{v: ins, at: now}
		return ins, nil
	})
	if err != nil {
		return err
	}
	return c.JSON(v)
}
