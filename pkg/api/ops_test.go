package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestReadyzChecksOnceASecond: /readyz needs no token, so a crowd asking
// must not become a crowd of writes to the store: the requests of a second
// share one check (the last one's answer, or the one running), and a store
// that stops answering is seen within the second — the failure answered
// the same way.
func TestReadyzChecksOnceASecond(t *testing.T) {
	var pings atomic.Int32
	var down atomic.Bool
	s := MustServe(t, func(d *api.Deps, _ *web.Deps) {
		ping := d.Ping
		d.Ping = func(ctx context.Context) error {
			if pings.Add(1) == 1 {
				time.Sleep(200 * time.Millisecond) // the crowd arrives while it runs
			}
			if down.Load() {
				return apperr.E(apperr.Unavailable, "the store is down")
			}
			return ping(ctx)
		}
	})
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 32 {
		wg.Go(func() {
			resp, err := http.Get(s.URL + "/readyz")
			if err != nil || resp.StatusCode != 200 {
				failed.Add(1)
			}
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	if n, f := pings.Load(), failed.Load(); n != 1 || f != 0 {
		t.Fatalf("32 requests at once: %d checks of the store, %d not 200; want 1 and 0", n, f)
	}
	down.Store(true)
	MustStatus(t, s.Do(t, "GET", "/readyz", "", nil), 200) // the check of this second
	s.Clock.Add(time.Second)
	MustProblem(t, s.Do(t, "GET", "/readyz", "", nil), 503)
	MustProblem(t, s.Do(t, "GET", "/readyz", "", nil), 503)
	if n := pings.Load(); n != 2 {
		t.Fatalf("%d checks, want 2", n)
	}
	down.Store(false)
	s.Clock.Add(time.Second)
	MustStatus(t, s.Do(t, "GET", "/readyz", "", nil), 200)
	if n := pings.Load(); n != 3 {
		t.Fatalf("%d checks, want 3", n)
	}
}

// TestMetricsGatheredOnceASecond: /metrics needs no token either, so the
// scrapes of one second share one gathering (the same bytes), the next
// second sees what happened since; Prometheus' own text parser reads it,
// plain and gzipped alike.
func TestMetricsGatheredOnceASecond(t *testing.T) {
	s := MustServe(t)
	healthz := func(body []byte) float64 {
		t.Helper()
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("Prometheus' parser: %v\n%s", err, body)
		}
		for _, m := range fams["rapport_http_request_duration_seconds"].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && l.GetValue() == "/healthz" {
					return float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
		return 0
	}
	MustStatus(t, s.Do(t, "GET", "/healthz", "", nil), 200)
	first := s.Do(t, "GET", "/metrics", "", nil, "Accept-Encoding", "identity")
	MustStatus(t, first, 200)
	if ct := first.Header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8; escaping=underscores" {
		t.Errorf("Content-Type %q", ct)
	}
	if n := healthz(first.Body); n != 1 {
		t.Fatalf("%v /healthz requests counted, want 1", n)
	}
	for range 3 {
		MustStatus(t, s.Do(t, "GET", "/healthz", "", nil), 200)
	}
	if again := s.Do(t, "GET", "/metrics", "", nil, "Accept-Encoding", "identity"); !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("a scrape within the second gathered again:\n%s", again.Body)
	}
	s.Clock.Add(time.Second)
	next := s.Do(t, "GET", "/metrics", "", nil, "Accept-Encoding", "identity")
	if n := healthz(next.Body); n != 4 {
		t.Fatalf("a second later %v /healthz requests counted, want 4", n)
	}
	zipped := s.Do(t, "GET", "/metrics", "", nil, "Accept-Encoding", "gzip")
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", zipped.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped.Body))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, next.Body) {
		t.Fatalf("gzipped: %v, %d bytes, want the %d plain ones", err, len(plain), len(next.Body))
	}
}
