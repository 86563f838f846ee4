package api_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
