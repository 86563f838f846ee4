package dispatch

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Observer counts what the dispatcher does, for the operator's metrics
// (pkg/metrics makes them Prometheus counters; the domain links no
// metrics library). A nil Observer counts nothing.
type Observer interface {
	// Sent counts n nudges delivered on a channel ("email", "webhook").
	Sent(channel string, n int)
	// Failed counts n nudge deliveries that failed on a channel.
	Failed(channel string, n int)
	// Retried counts n nudges scheduled for another attempt.
	Retried(n int)
	// Agenda counts an agenda email by result ("sent", "given_up", "failed").
	Agenda(result string)
	// Lag is the age of the oldest due nudge not yet delivered.
	Lag(seconds float64)
}

// noObserver counts nothing.
type noObserver struct{}

func (noObserver) Sent(string, int)   {}
func (noObserver) Failed(string, int) {}
func (noObserver) Retried(int)        {}
func (noObserver) Agenda(string)      {}
func (noObserver) Lag(float64)        {}

// updateLag sets the lag gauge: the age of the oldest follow-up that is due
// and not yet delivered, from users still waiting (next_at past) and batches
// waiting for a retry.
func (d *Dispatcher) updateLag(ctx context.Context) {
	now := record.Time(d.Now())
	oldest := now
	if at, err := d.Followups.Store.OldestDue(ctx, now); err == nil && at != nil && at.Before(oldest) {
		oldest = *at
	}
	// Batches waiting for a retry.
	if sts, err := d.Followups.Store.States(ctx); err == nil {
		for _, st := range sts {
			if st.Batch == nil {
				continue
			}
			for _, it := range st.Batch.Items {
				if it.DueAt.Before(oldest) {
					oldest = it.DueAt
				}
			}
		}
	}
	d.Metrics.Lag(max(0, now.Sub(oldest)).Seconds())
}
