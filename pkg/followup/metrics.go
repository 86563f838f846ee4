package followup

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/store"
)

// Metrics of the dispatcher.
type Metrics struct {
	Sent    *prometheus.CounterVec // nudges delivered, by channel
	Failed  *prometheus.CounterVec // nudge deliveries that failed, by channel
	Retried prometheus.Counter     // nudges scheduled for another attempt
	Agendas *prometheus.CounterVec // agenda emails, by result
	Lag     prometheus.Gauge       // age of the oldest due but undelivered nudge
}

// NewMetrics creates the metrics and registers them with reg (if not nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Sent:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_nudges_sent_total", Help: "Follow-up nudges delivered, by channel."}, []string{"channel"}),
		Failed:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_nudges_failed_total", Help: "Follow-up nudge deliveries that failed, by channel."}, []string{"channel"}),
		Retried: prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_nudges_retried_total", Help: "Follow-up nudges scheduled for another delivery attempt."}),
		Agendas: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_agendas_total", Help: "Agenda emails, by result."}, []string{"result"}),
		Lag:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_dispatcher_lag_seconds", Help: "Age of the oldest due follow-up not yet delivered, as of the last tick."}),
	}
	if reg != nil {
		reg.MustRegister(m.Sent, m.Failed, m.Retried, m.Agendas, m.Lag)
	}
	return m
}

// updateLag sets the lag gauge: the age of the oldest follow-up that is due
// and not yet delivered, from users still waiting (next_at past) and batches
// waiting for a retry.
func (d *Dispatcher) updateLag(ctx context.Context) {
	now := store.Time(d.Now())
	oldest := now
	// dispatch_next
	if cur, err := d.Followups.dispatch.Find(ctx, bson.M{"next_at": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}}).SetLimit(1)); err == nil {
		var docs []dispatchDoc
		if cur.All(ctx, &docs) == nil && len(docs) > 0 && docs[0].NextAt.Before(oldest) {
			oldest = docs[0].NextAt
		}
	}
	// dispatch_state._id (all users with a batch in flight)
	if cur, err := d.Followups.state.Find(ctx, bson.M{"batch": bson.M{"$exists": true}},
		options.Find().SetProjection(bson.M{"batch.items": 1})); err == nil {
		var sts []State
		if cur.All(ctx, &sts) == nil {
			for _, st := range sts {
				for _, it := range st.Batch.Items {
					if it.DueAt.Before(oldest) {
						oldest = it.DueAt
					}
				}
			}
		}
	}
	d.Metrics.Lag.Set(max(0, now.Sub(oldest)).Seconds())
}
