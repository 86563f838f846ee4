package accounts

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/schedule"
)

// fields names the fields an error reports, in order.
func fields(err error) string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// TestSettingsApply: the defaults a new user gets, and each setting's rule
// refusing with its field named (several at once, in order).
func TestSettingsApply(t *testing.T) {
	n := func(i int) *int { return &i }
	private := func(raw string) string {
		if strings.Contains(raw, "10.0.0.1") {
			return "points at a private address"
		}
		return ""
	}
	for _, tc := range []struct {
		name   string
		s      Settings
		fields string
		check  func(t *testing.T, u *User)
	}{
		{"Defaults", Settings{Name: "Ada"}, "", func(t *testing.T, u *User) {
			if u.Timezone != DefaultTimezone || u.NudgeHour != DefaultNudgeHour || u.Notify.Email != "ada@example.com" ||
				u.FollowupPolicy.ThankYouDays != DefaultThankYouDays || u.Agenda.Schedule != DefaultAgendaSchedule || u.Card.ID != "" {
				t.Errorf("%+v", u)
			}
		}},
		{"Set", Settings{Name: "Ada", Timezone: "Europe/Berlin", NudgeHour: n(7), Notify: NotifySettings{Email: "nudges@example.com",
			WebhookURL: "https://hooks.example.com/x", WebhookSecret: "s3cret"}, FollowupPolicy: PolicySettings{ThankYouDays: n(0)},
			Card: CardSettings{Enabled: true, Fields: []string{"email", "email"}}}, "", func(t *testing.T, u *User) {
			if u.Timezone != "Europe/Berlin" || u.NudgeHour != 7 || u.Notify.Email != "nudges@example.com" || u.FollowupPolicy.ThankYouDays != 0 ||
				u.Card.ID == "" || u.Card.Key == "" || len(u.Card.Fields) != 1 {
				t.Errorf("%+v", u)
			}
		}},
		{"NoName", Settings{}, "name", nil},
		{"BadZone", Settings{Name: "Ada", Timezone: "Mars/Olympus"}, "timezone", nil},
		{"BadHour", Settings{Name: "Ada", NudgeHour: n(24)}, "nudge_hour", nil},
		{"BadNotifyEmail", Settings{Name: "Ada", Notify: NotifySettings{Email: "not an email"}}, "notify.email", nil},
		{"WebhookWithoutSecret", Settings{Name: "Ada", Notify: NotifySettings{WebhookURL: "https://hooks.example.com/x"}}, "notify.webhook_secret", nil},
		{"PrivateWebhook", Settings{Name: "Ada", Notify: NotifySettings{WebhookURL: "https://10.0.0.1/x", WebhookSecret: "s"}}, "notify.webhook_url", nil},
		{"PolicyRange", Settings{Name: "Ada", FollowupPolicy: PolicySettings{ThankYouDays: n(366), CheckInDays: n(-1)}},
			"followup_policy.thank_you_days,followup_policy.check_in_days", nil},
		{"BadSchedule", Settings{Name: "Ada", Agenda: AgendaSettings{Enabled: true, Schedule: "every full moon"}}, "agenda.schedule", nil},
		{"BadCardField", Settings{Name: "Ada", Card: CardSettings{Fields: []string{"shoe_size"}}}, "card.fields[0]", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &User{Email: "ada@example.com"}
			err := tc.s.apply(u, private, schedule.Parse)
			if got := fields(err); (err == nil) != (tc.fields == "") || got != tc.fields {
				t.Fatalf("fields %q (%v), want %q", got, err, tc.fields)
			}
			if tc.check != nil {
				tc.check(t, u)
			}
		})
	}
	// SettingsOf and apply round-trip.
	u := &User{Email: "ada@example.com"}
	if err := (Settings{Name: "Ada", Timezone: "Asia/Tokyo", NudgeHour: n(6)}).apply(u, nil, schedule.Parse); err != nil {
		t.Fatal(err)
	}
	back := &User{Email: "ada@example.com"}
	if err := SettingsOf(u).apply(back, nil, schedule.Parse); err != nil || back.Timezone != "Asia/Tokyo" || back.NudgeHour != 6 || back.Name != "Ada" {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	if back.Location().String() != "Asia/Tokyo" {
		t.Fatalf("location %v", back.Location())
	}
}

// TestFeedURLs: a feed's address and its webcal twin.
func TestFeedURLs(t *testing.T) {
	if got := FeedURL("https://crm.example", "tok", "followups"); !strings.HasPrefix(got, "https://crm.example/") || !strings.Contains(got, "tok") {
		t.Errorf("feed URL %q", got)
	}
	if got := WebcalURL("https://crm.example", "tok", "followups"); !strings.HasPrefix(got, "webcal://crm.example/") {
		t.Errorf("webcal URL %q", got)
	}
	if DefaultFeedSetID("u1") == "u1" || !(&FeedSet{ID: DefaultFeedSetID("u1")}).Default() || (&FeedSet{ID: "x"}).Default() {
		t.Error("the default feed set")
	}
}
