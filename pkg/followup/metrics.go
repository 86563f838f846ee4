package followup

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rapport-crm/rapport/pkg/record"
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
	d.Metrics.Lag.Set(max(0, now.Sub(oldest)).Seconds())
}
