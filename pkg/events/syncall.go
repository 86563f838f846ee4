package events

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rapport-crm/rapport/pkg/record"
)

// SyncWorkers is how many calendars SyncAll syncs at once: a feed is mostly
// waiting on another server, and one that hangs until its timeout holds up
// only its worker.
const SyncWorkers = 4

// SyncAll syncs every calendar of every user, each claimed by inserting a
// lease for this tick's window so that several processes running the same
// schedule sync it once. tzOf returns a user's time zone (for floating
// times).
//
// The calendars are taken in turn by user — each user's first, then each
// user's second, … — each user's least recently synced first, SyncWorkers
// at a time: one user's many or slow feeds cannot use up a tick before
// another user's first calendar is reached. When ctx ends no more are
// claimed, so the rest stay free for the next tick or another process.
func (im *Importer) SyncAll(ctx context.Context, window time.Duration, tzOf func(ctx context.Context, userID string) (string, error)) (synced, failed int, err error) {
	cals, err := im.Events.Store.Calendars(ctx, "")
	if err != nil {
		return 0, 0, err
	}
	slot := im.Events.Now().Truncate(window).UTC().Format("20060102T150405")
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(SyncWorkers)
	for _, cal := range inTurn(cals) {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil // the tick ended while this one waited its turn
			}
			ok, err := im.Events.Store.ClaimSync(gctx, cal.ID, slot, record.Time(im.Events.Now()))
			if err != nil || !ok {
				return err // !ok: another process has it this window
			}
			tz, err := tzOf(gctx, cal.UserID)
			if err != nil {
				return nil // the user is gone
			}
			_, err = im.Sync(gctx, cal, tz)
			if err != nil && gctx.Err() != nil {
				return nil // stopped with the tick: neither synced nor failed
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
			} else {
				synced++
			}
			return nil
		})
	}
	err = g.Wait()
	if err == nil {
		err = ctx.Err() // out of time: the rest wait for the next tick
	}
	if err != nil {
		return synced, failed, err
	}
	// Old windows are of no use.
	im.Events.Store.PurgeSyncClaims(ctx, record.Time(im.Events.Now().Add(-24*time.Hour)))
	return synced, failed, nil
}

// inTurn orders calendars for SyncAll: round by round, one of each user's
// per round, each user's least recently synced (never synced first)
// before the others; users in the order of their most overdue calendar.
func inTurn(cals []Calendar) []*Calendar {
	byUser := map[string][]*Calendar{}
	var users []string
	for i := range cals {
		c := &cals[i]
		if _, ok := byUser[c.UserID]; !ok {
			users = append(users, c.UserID)
		}
		byUser[c.UserID] = append(byUser[c.UserID], c)
	}
	synced := func(c *Calendar) int64 {
		if c.LastSyncAt == nil {
			return 0
		}
		return c.LastSyncAt.UnixNano()
	}
	for _, u := range users {
		slices.SortStableFunc(byUser[u], func(a, b *Calendar) int { return cmp.Compare(synced(a), synced(b)) })
	}
	slices.SortStableFunc(users, func(a, b string) int { return cmp.Compare(synced(byUser[a][0]), synced(byUser[b][0])) })
	out := make([]*Calendar, 0, len(cals))
	for round := 0; len(out) < len(cals); round++ {
		for _, u := range users {
			if round < len(byUser[u]) {
				out = append(out, byUser[u][round])
			}
		}
	}
	return out
}
