package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestSettingsFollowupsAndAgenda: the follow-up policy and the weekly
// agenda, which only PATCH /v1/me could change, are set on the settings
// page: shown as stored, saved, refused with the field named, and a
// schedule set through the API kept until a day is picked.
func TestSettingsFollowupsAndAgenda(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/settings")
	mustContain(t, page, `name="thank_you_days" type="number" min="0" max="365" inputmode="numeric" value="1"`,
		`name="check_in_days" type="number" min="0" max="3650" inputmode="numeric" value="30"`,
		`name="intro_check_days" type="number" min="0" max="3650" inputmode="numeric" value="14"`,
		`<option value="MON" selected>Mondays</option>`, `name="agenda_hour" type="number" min="0" max="23" inputmode="numeric" value="8"`)
	if strings.Contains(page, `name="agenda_enabled" checked`) {
		t.Error("the agenda is on for a new account")
	}
	sent := func(changes map[string]string) url.Values {
		f := url.Values{"name": {"Ada"}, "timezone": {"Europe/Berlin"}, "nudge_hour": {"9"}, "notify_email": {"ada@example.com"},
			"thank_you_days": {"1"}, "check_in_days": {"30"}, "intro_check_days": {"14"}, "agenda_day": {"MON"}, "agenda_hour": {"8"}}
		for k, v := range changes {
			f.Set(k, v)
		}
		return f
	}
	type me struct {
		FollowupPolicy map[string]int `json:"followup_policy"`
		Agenda         struct {
			Enabled  bool
			Schedule string
		}
	}
	stored := func() me {
		var m me
		s.api(t, "GET", "/v1/me", tok, nil, 200, &m)
		return m
	}
	st, page := b.post("/app/settings", sent(map[string]string{"thank_you_days": "3", "check_in_days": "0", "agenda_enabled": "on",
		"agenda_day": "FRI", "agenda_hour": "17"}))
	if st != 200 || !strings.Contains(page, "Saved.") {
		t.Fatalf("save: %d", st)
	}
	if m := stored(); m.FollowupPolicy["thank_you_days"] != 3 || m.FollowupPolicy["check_in_days"] != 0 || m.FollowupPolicy["intro_check_days"] != 14 ||
		!m.Agenda.Enabled || m.Agenda.Schedule != "0 17 * * FRI" {
		t.Fatalf("stored %+v", m)
	}
	mustContain(t, page, `<option value="FRI" selected>Fridays</option>`, `name="agenda_enabled" checked`)

	// Refused, the field named, nothing saved.
	for field, value := range map[string]string{"thank_you_days": "400", "check_in_days": "soon", "agenda_hour": "25"} {
		st, page := b.post("/app/settings", sent(map[string]string{field: value}))
		if st != 422 || !strings.Contains(page, `id="`+field+`-error"`) {
			t.Errorf("%s=%s: %d, no error on the field", field, value, st)
		}
	}
	if m := stored(); m.FollowupPolicy["thank_you_days"] != 3 || m.Agenda.Schedule != "0 17 * * FRI" {
		t.Fatalf("a refused form changed %+v", m)
	}

	// A schedule set through the API is shown as it is and kept.
	s.api(t, "PATCH", "/v1/me", tok, map[string]any{"agenda": map[string]any{"enabled": true, "schedule": "30 7 1 * *"}}, 200, nil)
	_, page = b.get("/app/settings")
	mustContain(t, page, `<option value="" selected>as set: 30 7 1 * *</option>`)
	if st, _ := b.post("/app/settings", sent(map[string]string{"agenda_enabled": "on", "agenda_day": ""})); st != 200 {
		t.Fatalf("save with the API's schedule: %d", st)
	}
	if m := stored(); m.Agenda.Schedule != "30 7 1 * *" || !m.Agenda.Enabled {
		t.Fatalf("the API's schedule was not kept: %+v", m.Agenda)
	}
	if st, _ := b.post("/app/settings", sent(map[string]string{"agenda_day": "MON-FRI", "agenda_hour": "7"})); st != 200 {
		t.Fatalf("save: %d", st)
	}
	if m := stored(); m.Agenda.Schedule != "0 7 * * MON-FRI" || m.Agenda.Enabled {
		t.Fatalf("weekdays at 7, off: %+v", m.Agenda)
	}
}
