// Package metrics turns what the domains count into Prometheus metrics, so
// that no domain links a metrics library: the dispatcher's Observer here.
package metrics

import "github.com/prometheus/client_golang/prometheus"

// Dispatcher is the follow-up dispatcher's metrics (dispatch.Observer).
type Dispatcher struct {
	sent    *prometheus.CounterVec
	failed  *prometheus.CounterVec
	retried prometheus.Counter
	agendas *prometheus.CounterVec
	lag     prometheus.Gauge
}

// NewDispatcher creates the dispatcher's metrics and registers them with
// reg (if not nil).
func NewDispatcher(reg prometheus.Registerer) *Dispatcher {
	m := &Dispatcher{
		sent:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_nudges_sent_total", Help: "Follow-up nudges delivered, by channel."}, []string{"channel"}),
		failed:  prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_nudges_failed_total", Help: "Follow-up nudge deliveries that failed, by channel."}, []string{"channel"}),
		retried: prometheus.NewCounter(prometheus.CounterOpts{Name: "rapport_nudges_retried_total", Help: "Follow-up nudges scheduled for another delivery attempt."}),
		agendas: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rapport_agendas_total", Help: "Agenda emails, by result."}, []string{"result"}),
		lag:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "rapport_dispatcher_lag_seconds", Help: "Age of the oldest due follow-up not yet delivered, as of the last tick."}),
	}
	if reg != nil {
		reg.MustRegister(m.sent, m.failed, m.retried, m.agendas, m.lag)
	}
	return m
}

// Sent counts n nudges delivered on a channel.
func (m *Dispatcher) Sent(channel string, n int) { m.sent.WithLabelValues(channel).Add(float64(n)) }

// Failed counts n failed nudge deliveries on a channel.
func (m *Dispatcher) Failed(channel string, n int) { m.failed.WithLabelValues(channel).Add(float64(n)) }

// Retried counts n nudges scheduled for another attempt.
func (m *Dispatcher) Retried(n int) { m.retried.Add(float64(n)) }

// Agenda counts an agenda email by result.
func (m *Dispatcher) Agenda(result string) { m.agendas.WithLabelValues(result).Inc() }

// Lag sets the age of the oldest due nudge not yet delivered.
func (m *Dispatcher) Lag(seconds float64) { m.lag.Set(seconds) }
