package app_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/netguard"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Run(m)) }

// TestGuardReachesEveryService: the guard New is given checks the URLs
// each service takes from a user (a webhook, a followed calendar), and the
// services share the clock.
func TestGuardReachesEveryService(t *testing.T) {
	at := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	sv := app.New(enginetest.Open(t), app.Options{Now: func() time.Time { return at }, Guard: netguard.Guard{Resolver: netguard.Offline{}},
		CalendarTimeout: time.Second})
	u, _, err := sv.Accounts.Signup(t.Context(), accounts.SignupInput{Email: "ada@example.com", Name: "Ada", Timezone: "UTC"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !u.CreatedAt.Equal(at) {
		t.Errorf("created at %v, want the clock's %v", u.CreatedAt, at)
	}
	_, err = sv.Accounts.UpdateSettings(t.Context(), u.ID, []byte(`{"notify":{"webhook_url":"http://127.0.0.1/hook","webhook_secret":"s3cret"}}`))
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("a webhook on this machine: %v, want refused as a loopback address", err)
	}
	_, err = sv.Importer.CreateCalendar(t.Context(), u.ID, events.CalendarInput{URL: "http://10.0.0.1/cal.ics"})
	if err == nil || !strings.Contains(err.Error(), "private") {
		t.Errorf("a private calendar: %v, want refused as a private address", err)
	}
	if _, err := sv.Importer.CreateCalendar(t.Context(), u.ID, events.CalendarInput{URL: "webcal://calendar.example/team.ics"}); err != nil {
		t.Errorf("a public calendar: %v", err)
	}
}
