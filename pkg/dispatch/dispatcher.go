package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Delivery limits.
const (
	// RetryWindow is how long a failing delivery is retried.
	RetryWindow = 24 * time.Hour
	// maxBatch caps the follow-ups in one digest; the rest follow at once.
	maxBatch = 200
)

func newBatch(userID string, due []followup.FollowUp, now time.Time) *followup.Batch {
	h := sha256.New()
	h.Write([]byte(userID))
	b := &followup.Batch{CreatedAt: record.Time(now)}
	for _, f := range due {
		b.Items = append(b.Items, followup.BatchItem{ID: f.ID, DueAt: f.DueAt})
		h.Write([]byte{0})
		h.Write([]byte(f.ID + "@" + f.DueAt.Format(time.RFC3339Nano)))
	}
	b.ID = "nudge_" + hex.EncodeToString(h.Sum(nil))[:32]
	return b
}

// batchIDs lists the follow-ups of a batch.
func batchIDs(b *followup.Batch) []string {
	ids := make([]string, len(b.Items))
	for i, it := range b.Items {
		ids[i] = it.ID
	}
	return ids
}

// backoff is the wait before retry n (1-based): 1, 2, 4 … minutes, at most an hour.
func backoff(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Lease timing. A lease is the slot of leaseSlot containing now+claimMargin;
// its holder starts a send only while the send (at most sendBudget) ends
// before the slot's end minus claimMargin, which is when the next slot can
// first be claimed. So two holders of one user never overlap, and a crashed
// holder's user is free again in the next slot.
const (
	leaseSlot   = 2 * time.Minute
	claimMargin = 30 * time.Second
	sendBudget  = 25 * time.Second // above the SMTP (20s) and webhook (15s) timeouts
)

// Dispatcher sends due nudges and agendas. Any number of dispatchers (in
// any number of processes) may share one store: each user is handled by
// the one holding its lease.
type Dispatcher struct {
	Followups *followup.Service
	Accounts  *accounts.Service
	Contacts  *contacts.Service
	Events    *events.Service
	// Mailer sends email; nil turns the email channel off.
	Mailer Mailer
	// Webhooks posts webhooks (with a timeout under sendBudget).
	Webhooks WebhookPoster
	// BaseURL is the public URL for links.
	BaseURL string
	// Recaps, when set, gives the one-line reviews of the user's events
	// that began in [from, to): a nudge carries yesterday's (in the
	// user's time zone).
	Recaps func(ctx context.Context, u *accounts.User, from, to time.Time) ([]string, error)
	// Owner identifies this dispatcher in leases; unique per process.
	Owner string
	// Workers is how many users are handled at once (default 4).
	Workers int
	// MaxTick bounds one RunOnce (default 50s), so ticks do not pile up.
	MaxTick time.Duration
	Now     func() time.Time
	Logger  *slog.Logger
	Metrics Observer
}

func (d *Dispatcher) defaults() {
	if d.Workers == 0 {
		d.Workers = 4
	}
	if d.MaxTick == 0 {
		d.MaxTick = 50 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Metrics == nil {
		d.Metrics = noObserver{}
	}
	if d.Owner == "" {
		d.Owner = record.NewID()
	}
}

// RunOnce handles every user whose nudges or agenda are due, then returns.
// The cron only calls this; all the logic is here and testable without it.
//
// MaxTick stops it from taking more users; users already taken are finished
// (their sends have their own timeouts and the lease bounds them), because
// cutting a send short makes it count as failed and be sent again.
func (d *Dispatcher) RunOnce(ctx context.Context) error {
	d.defaults()
	work := context.WithoutCancel(ctx)
	ctx, cancel := context.WithTimeout(ctx, d.MaxTick)
	defer cancel()
	now := record.Time(d.Now())
	due, err := d.Followups.Store.DueUsers(ctx, now, 100_000)
	if err != nil {
		return err
	}
	users := make(chan followup.QueueEntry)
	var wg sync.WaitGroup
	for w := 0; w < d.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for doc := range users {
				if err := d.handle(work, doc); err != nil {
					d.Logger.Warn("dispatch", "user_id", doc.UserID, "err", err)
				}
			}
		}()
	}
feed:
	for _, doc := range due {
		select {
		case users <- doc:
		case <-ctx.Done():
			break feed
		}
	}
	close(users)
	wg.Wait()
	d.updateLag(context.WithoutCancel(ctx))
	return nil
}

// handle takes the user's lease for the current slot and processes the
// user; if another dispatcher holds it, it leaves the user alone.
func (d *Dispatcher) handle(ctx context.Context, doc followup.QueueEntry) error {
	userID := doc.UserID
	now := d.Now()
	slot := now.Add(claimMargin).Truncate(leaseSlot)
	lease := userID + "#" + slot.UTC().Format("20060102T150405")
	ok, err := d.Followups.Store.ClaimLease(ctx, lease, d.Owner, record.Time(now))
	if err != nil {
		return err
	}
	if !ok {
		return nil // another dispatcher has this user in this slot
	}
	defer func() {
		// Ours alone, so releasing by id is safe.
		d.Followups.Store.ReleaseLease(context.WithoutCancel(ctx), lease)
	}()
	return d.process(ctx, doc, slot.Add(leaseSlot-claimMargin))
}

// canSend reports whether a send started now ends before the lease's deadline.
func (d *Dispatcher) canSend(deadline time.Time) bool {
	return !d.Now().Add(sendBudget).After(deadline)
}

// process handles one leased user: delivers due nudges in batches, sends a
// due agenda, and sets when to look at the user next.
func (d *Dispatcher) process(ctx context.Context, doc followup.QueueEntry, deadline time.Time) error {
	userID := doc.UserID
	u, err := d.Accounts.User(ctx, userID)
	if apperr.Is(err, apperr.NotFound) {
		return d.Followups.Store.ForgetUser(ctx, userID) // the user is gone
	}
	if err != nil {
		return err
	}
	st, err := d.loadState(ctx, userID)
	if err != nil {
		return err
	}
	now := record.Time(d.Now())
	// One read of the user's pending follow-ups not yet nudged serves every
	// batch of this look and the next due time.
	pend, err := d.unnotifiedOf(ctx, u.ID)
	if err != nil {
		return err
	}
	if st.Batch != nil {
		pend = withoutBatch(pend, st.Batch) // they are not nudged yet, but are being
	}
	for round := 0; round < 20 && d.canSend(deadline); round++ {
		b, fresh := st.Batch, []followup.FollowUp(nil)
		if b == nil {
			n := 0
			for n < len(pend) && n < maxBatch && !pend[n].DueAt.After(now) {
				n++
			}
			if n == 0 {
				break
			}
			fresh, pend = pend[:n], pend[n:]
			b = newBatch(u.ID, fresh, now)
		} else if b.RetryAt.After(now) {
			break
		}
		finished, err := d.deliver(ctx, u, b, fresh, now, deadline)
		if finished {
			st.Batch = nil
		} else {
			st.Batch = b
		}
		if serr := d.saveState(ctx, st); serr != nil {
			return serr
		}
		if err != nil {
			return err
		}
		if !finished {
			break
		}
	}
	if err := d.agenda(ctx, u, st, now, deadline); err != nil {
		return err
	}
	next := d.nextLook(u, st, pend, now)
	// Only if no wake came since the user was picked (its nonce would
	// differ): then the next look stays as the wake left it.
	return d.Followups.Store.SetNextLook(ctx, userID, doc.WakeNonce, record.Time(next))
}

// withoutBatch drops from fs the items of b (same follow-up and due time).
func withoutBatch(fs []followup.FollowUp, b *followup.Batch) []followup.FollowUp {
	in := make(map[string]bool, len(b.Items))
	for _, it := range b.Items {
		in[followup.NudgeKey(it.ID, it.DueAt)] = true
	}
	out := fs[:0:0]
	for _, f := range fs {
		if !in[followup.NudgeKey(f.ID, f.DueAt)] {
			out = append(out, f)
		}
	}
	return out
}

// nextLook is when the user next needs the dispatcher: the batch's retry,
// the next agenda, or the earliest of pend (pending, not yet nudged, not in
// a batch of this look).
func (d *Dispatcher) nextLook(u *accounts.User, st *followup.State, pend []followup.FollowUp, now time.Time) time.Time {
	next := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if st.Batch != nil {
		next = st.Batch.RetryAt
	} else if len(pend) > 0 {
		next = pend[0].DueAt
	}
	if a := agendaDue(d.Accounts, u, st); a != nil && a.Before(next) {
		next = *a
	}
	if next.Before(now) {
		next = now // left for the next tick (the lease ran out, or more than a batch is due)
	}
	return next
}

// deliver sends the batch over each channel not yet done. It returns true
// when the batch is finished: delivered, given up after RetryWindow, or
// left with nothing to deliver.
// fresh holds the batch's follow-ups when the batch was just made; a batch
// resumed from the state is read again.
func (d *Dispatcher) deliver(ctx context.Context, u *accounts.User, b *followup.Batch, fresh []followup.FollowUp, now, deadline time.Time) (bool, error) {
	items, err := d.digestItems(ctx, u.ID, b, fresh)
	if err != nil {
		return false, err
	}
	if len(items) == 0 {
		return true, nil // all done or re-dated meanwhile
	}
	if d.Mailer == nil || u.Notify.Email == "" {
		b.Email.Done = true
	}
	if u.Notify.WebhookURL == "" {
		b.Webhook.Done = true
	}
	var failures []string
	if !b.Email.Done && d.canSend(deadline) {
		if err := d.sendDigest(ctx, u, b, items, now); err != nil {
			b.Email.Error = "email: " + err.Error()
			failures = append(failures, b.Email.Error)
			d.Metrics.Failed("email", len(items))
		} else {
			b.Email = followup.ChannelState{Done: true}
			d.Metrics.Sent("email", len(items))
		}
	}
	if !b.Webhook.Done && d.canSend(deadline) {
		if err := d.postWebhook(ctx, u, b, items); err != nil {
			b.Webhook.Error = "webhook: " + err.Error()
			failures = append(failures, b.Webhook.Error)
			d.Metrics.Failed("webhook", len(items))
		} else {
			b.Webhook = followup.ChannelState{Done: true}
			d.Metrics.Sent("webhook", len(items))
		}
	}
	if len(failures) == 0 && (!b.Email.Done || !b.Webhook.Done) {
		return false, nil // the lease ran out before every channel was tried
	}
	b.Attempts++
	switch {
	case len(failures) == 0:
		return true, d.Followups.Record(ctx, u.ID, b.Items, now, false, "")
	case now.Sub(b.CreatedAt) >= RetryWindow:
		d.Logger.Warn("nudge delivery given up", "user_id", u.ID, "batch", b.ID, "attempts", b.Attempts, "err", strings.Join(failures, "; "))
		return true, d.Followups.Record(ctx, u.ID, b.Items, now, true, "not delivered after 24 hours of retries; last error: "+strings.Join(failures, "; "))
	default:
		b.RetryAt = now.Add(backoff(b.Attempts))
		d.Metrics.Retried(len(items))
		d.Logger.Info("nudge delivery failed, will retry", "user_id", u.ID, "batch", b.ID, "attempt", b.Attempts,
			"retry_at", b.RetryAt, "err", strings.Join(failures, "; "))
		return false, nil
	}
}

// DigestItem is one due follow-up with what a nudge shows about it.
type DigestItem struct {
	followup.FollowUp
	Contact *contacts.Contact `json:"contact"`
	Event   *events.Event     `json:"-"`
}

// digestItems loads the batch's follow-ups that are still pending, with
// their contacts and events.
func (d *Dispatcher) digestItems(ctx context.Context, userID string, b *followup.Batch, fs []followup.FollowUp) ([]DigestItem, error) {
	if fs == nil {
		var err error
		if fs, err = d.byIDs(ctx, userID, batchIDs(b)); err != nil {
			return nil, err
		}
	}
	var contactIDs, eventIDs []string
	for _, f := range fs {
		contactIDs = append(contactIDs, f.ContactID)
		if f.EventID != "" {
			eventIDs = append(eventIDs, f.EventID)
		}
	}
	cs, err := d.Contacts.Store.ContactsByID(ctx, userID, contactIDs)
	if err != nil {
		return nil, err
	}
	es, err := d.Events.Store.EventsByID(ctx, userID, eventIDs)
	if err != nil {
		return nil, err
	}
	items := make([]DigestItem, 0, len(fs))
	for _, f := range fs {
		it := DigestItem{FollowUp: f, Contact: cs[f.ContactID], Event: es[f.EventID]}
		if (it.Contact == nil && !followup.Contactless(&f)) || (f.Kind == followup.Prep && it.Event == nil) {
			continue // deleted meanwhile
		}
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].DueAt.Before(items[j].DueAt) })
	return items, nil
}
