package web_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestToday: the follow-ups of this week (next month's left out), the
// events of the next 14 days with Prepare (the brief before the event: it
// opened the event's page), the intros waiting for an outcome, and who
// was met this week with nothing logged since.
func TestToday(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	past := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-22T18:00:00Z"})
	rust := s.create(t, tok, "/v1/events", map[string]any{"title": "Rust Night", "starts_at": "2026-11-29T18:00:00Z"})
	s.create(t, tok, "/v1/events", map[string]any{"title": "Far Conference", "starts_at": "2027-01-20T09:00:00Z"})
	log := func(name string) string {
		var out struct{ Contact struct{ ID string } }
		s.api(t, "POST", "/v1/events/"+past+"/encounters", tok, map[string]any{"contact": map[string]any{"name": name}, "moment": "after_talk",
			"met_at": "2026-11-22T20:00:00Z"}, 201, &out)
		return out.Contact.ID
	}
	jane, bob := log("Jane Quiet"), log("Bob Emailed")
	s.api(t, "POST", "/v1/contacts/"+bob+"/interactions", tok, map[string]any{"kind": "email", "at": "2026-11-23T10:00:00Z"}, 201, nil)
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}, "context": "Both into WASM", "double_opt_in": true})
	s.Clock.Add(2 * 24 * time.Hour) // 26 Nov: Jane's thank-you (due 23 Nov) is overdue

	b := s.signedIn(t, "ada@example.com", tok)
	st, page := b.get("/app/today")
	if st != 200 {
		t.Fatalf("today: %d", st)
	}
	mustContain(t, page, "Overdue", "Say thank you: Jane Quiet", "Rust Night", `href="/app/events/`+rust+`/prep">Prepare</a>`, "Both into WASM", "Write the outcome",
		"</a> · 24 Nov · proposed") // when it was made, then where it stands (it read "proposed since 24 Nov")
	if strings.Contains(page, "Far Conference") {
		t.Error("an event 8 weeks away is on today's page")
	}
	if strings.Contains(page, "Check in") {
		t.Error("next month's check-ins are on today's page")
	}
	quiet := strings.SplitN(page, "Met this week, nothing since", 2)[1]
	if !strings.Contains(quiet, "Jane Quiet") || strings.Contains(quiet, "Bob Emailed") {
		t.Errorf("met this week, nothing since: %s", quiet)
	}
}

// TestTodayStartsANewAccount: a new account's Today says where to begin —
// import, follow a calendar, connect the phone, log someone — with links
// that work; once the account holds a contact, it does not.
func TestTodayStartsANewAccount(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/today")
	mustContain(t, page, "Start here", `href="/app/import"`, `href="/app/events#calendars"`, `href="/app/settings/devices"`)
	for _, path := range []string{"/app/import", "/app/events", "/app/settings/devices", "/app"} {
		if st, _ := b.get(path); st != 200 {
			t.Errorf("%s: %d", path, st)
		}
	}
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	if _, page = b.get("/app/today"); strings.Contains(page, "Start here") {
		t.Fatal("Start here with a contact in the account")
	}
}

// TestTodaysFollowupButtons: Today's follow-ups are done or snoozed a week
// from Today, which comes back (they went to the follow-ups page); a
// "back" other than Today goes to the follow-ups page, never elsewhere.
func TestTodaysFollowupButtons(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	due := s.Clock.Now().Add(time.Hour).Format(time.RFC3339)
	first := s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": "Send the deck", "due_at": due})
	second := s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": "Ask about the meetup", "due_at": due})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/today")
	mustContain(t, page, "Send the deck", "Snooze a week")

	st, page := b.post("/app/followups/"+first+"/snooze", form(page, "/app/followups/"+first+"/snooze"))
	if st != 200 || !strings.Contains(page, "Snoozed for a week.") || !strings.Contains(page, "<h1>Today</h1>") || strings.Contains(page, "Send the deck") {
		t.Fatalf("snoozed from Today: %d, back on Today without it?\n%.2000s", st, page)
	}
	st, page = b.post("/app/followups/"+second+"/done", form(page, "/app/followups/"+second+"/done"))
	if st != 200 || !strings.Contains(page, "Marked done.") || !strings.Contains(page, "<h1>Today</h1>") {
		t.Fatalf("done from Today: %d\n%.2000s", st, page)
	}
	var f struct{ Status string }
	s.api(t, "GET", "/v1/followups/"+second, tok, nil, 200, &f)
	if f.Status != "done" {
		t.Fatalf("done from Today: %s", f.Status)
	}
	if _, page = b.post("/app/followups/"+first+"/snooze", url.Values{"back": {"https://evil.example/"}}); !strings.Contains(page, "<h1>Follow-ups</h1>") {
		t.Fatal("a back that is not Today")
	}
}

// TestWriteItWhereTheFollowupIs: a follow-up of someone with an email
// offers Write it on Today and on their page, as on the follow-ups page:
// the thank-you names the event; someone without an email has none.
func TestWriteItWhereTheFollowupIs(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-22T18:00:00Z"})
	log := func(contact map[string]any) string {
		var out struct{ Contact struct{ ID string } }
		s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": contact, "moment": "after_talk", "met_at": "2026-11-22T20:00:00Z"}, 201, &out)
		return out.Contact.ID
	}
	jane := log(map[string]any{"name": "Jane Doe", "emails": []string{"jane@example.com"}})
	bob := log(map[string]any{"name": "Bob No-Email"})
	b := s.signedIn(t, "ada@example.com", tok)
	const write = `href="mailto:jane@example.com?body=Hi%20Jane%2C%0A%0Athank%20you%20for%20the%20chat%20at%20GoDays.%0A&amp;subject=Great%20to%20meet%20you%20at%20GoDays">Write it</a>`
	for _, path := range []string{"/app/today", "/app/contacts/" + jane} {
		if _, page := b.get(path); !strings.Contains(page, write) {
			t.Errorf("%s: no Write it to Jane naming the event", path)
		}
	}
	if _, page := b.get("/app/contacts/" + bob); strings.Contains(page, "Write it") {
		t.Error("Write it offered for someone without an email")
	}
}

// TestContactPageFollowupButtons: a contact's page marks its follow-ups
// done or snoozes them a week and comes back to them; its opportunities
// lead to their cards on the pipeline.
func TestContactPageFollowupButtons(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	due := s.Clock.Now().Add(-time.Hour).Format(time.RFC3339)
	first := s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": "Send the deck", "due_at": due})
	second := s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": "Ask about the meetup", "due_at": due})
	opp := s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_contact_id": jane})
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/contacts/" + jane)
	mustContain(t, page, "Send the deck", "Snooze a week", `href="/app/pipeline#o-`+opp+`"`)

	st, page := b.post("/app/followups/"+first+"/snooze", form(page, "/app/followups/"+first+"/snooze"))
	if st != 200 || !strings.Contains(page, "Snoozed for a week.") || !strings.Contains(page, "<h1>Jane Doe</h1>") {
		t.Fatalf("snoozed from the contact's page: %d, back on it?\n%.2000s", st, page)
	}
	mustContain(t, page, "Send the deck", "Ask about the meetup")
	st, page = b.post("/app/followups/"+second+"/done", form(page, "/app/followups/"+second+"/done"))
	if st != 200 || !strings.Contains(page, "Marked done.") || !strings.Contains(page, "<h1>Jane Doe</h1>") || strings.Contains(page, "/app/followups/"+second+"/done") {
		t.Fatalf("done from the contact's page: %d, back on it without the follow-up?\n%.2000s", st, page)
	}
	mustContain(t, page, "Follow up: Jane Doe · done<p>Ask about the meetup</p>") // in the timeline now
	var f struct {
		Status string
		DueAt  time.Time `json:"due_at"`
	}
	s.api(t, "GET", "/v1/followups/"+second, tok, nil, 200, &f)
	if f.Status != "done" {
		t.Fatalf("done from the contact's page: %s", f.Status)
	}
	s.api(t, "GET", "/v1/followups/"+first, tok, nil, 200, &f)
	if f.Status != "pending" || !f.DueAt.After(s.Clock.Now().AddDate(0, 0, 6)) {
		t.Fatalf("snoozed from the contact's page: %s, due %s", f.Status, f.DueAt)
	}
	for _, back := range []string{"/app/contacts/" + jane + "/../../evil", "//evil.example/app/contacts/x", "/app/contacts/" + jane + "?x=1"} {
		if _, page = b.post("/app/followups/"+first+"/snooze", url.Values{"back": {back}}); !strings.Contains(page, "<h1>Follow-ups</h1>") {
			t.Fatalf("back %q did not go to the follow-ups page", back)
		}
	}
}

// TestABusyCalendar: on an account that follows a busy calendar (210
// events in seven weeks, 28 of them this week), the meeting at the latest
// event is on Today ("Met this week, nothing since") and in insights'
// "Worth it?": both read the first events of their window by start (20 of
// the week, 200 of the 90 days), the oldest, and missed the latest. And
// so is one at an event with 22 later this week: Today then read the
// week's latest 20.
func TestABusyCalendar(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	var latest, earlier string
	for i := 209; i >= 0; i-- {
		at := time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC).Add(-time.Duration(i) * 6 * time.Hour)
		id := s.create(t, tok, "/v1/events", map[string]any{"title": fmt.Sprintf("Calendar event %03d", i), "starts_at": at.Format(time.RFC3339)})
		switch i {
		case 0:
			latest = id
		case 22: // five and a half days before: 22 later events this week
			earlier = id
		}
	}
	s.api(t, "POST", "/v1/events/"+latest+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane Doe"},
		"moment": "after_talk", "met_at": "2026-11-23T19:00:00Z"}, 201, nil)
	s.api(t, "POST", "/v1/events/"+earlier+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Kim Lee"},
		"moment": "after_talk", "met_at": "2026-11-18T07:00:00Z"}, 201, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/today")
	quiet := strings.SplitN(page, "Met this week, nothing since", 2)[1]
	if !strings.Contains(quiet, "Jane Doe") {
		t.Errorf("Today does not list Jane Doe, met yesterday: %.600s", quiet)
	}
	if !strings.Contains(quiet, "Kim Lee") {
		t.Errorf("Today does not list Kim Lee, met at an event with 22 later ones this week: %.600s", quiet)
	}
	type worth struct {
		EventID string `json:"event_id"`
	}
	var in struct{ Events []worth }
	s.api(t, "GET", "/v1/insights", tok, nil, 200, &in)
	if !slices.ContainsFunc(in.Events, func(e worth) bool { return e.EventID == latest }) {
		t.Errorf("insights' events (%d) leave out the latest, where Jane was met", len(in.Events))
	}
}

// TestTodayWithManyOverdue: an account 205 follow-ups behind still sees
// today's on Today, after the first 20 overdue and a link to the rest.
// The page read the first 200 pending by due time: all of them overdue,
// and today's was not on it. Before they were due, the page said the
// coming week held more than it listed.
func TestTodayWithManyOverdue(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	for i := range 205 { // due from 25 Nov, a minute apart
		s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": fmt.Sprintf("behind %03d", i),
			"due_at": time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute).Format(time.RFC3339)})
	}
	b := s.signedIn(t, "ada@example.com", tok)
	// Before they were due, the week held more than the page lists (it
	// listed the first 200 as if they were all).
	_, page := b.get("/app/today")
	mustContain(t, page, "behind 199", "More are due in the coming week than these")
	if strings.Contains(page, "behind 200") || strings.Contains(page, "More are overdue") {
		t.Errorf("the coming week's 205, before they were due:\n%s", page)
	}

	s.Clock.Add(6 * 24 * time.Hour) // 30 Nov, 17:00: the 205 overdue
	s.create(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "note": "Call about the role", "due_at": "2026-11-30T19:00:00Z"})
	_, page = b.get("/app/today")
	mustContain(t, page, "behind 000", "behind 019", "More are overdue than these", `href="/app/followups"`, "Call about the role")
	if strings.Contains(page, "behind 020") || strings.Count(page, "behind ") != 20 || strings.Contains(page, "More are due in the coming week") {
		t.Errorf("%d overdue listed, want the first 20", strings.Count(page, "behind "))
	}
}

// TestMetThisWeekAtAConference: on a conference's week (50 sessions a day
// for five days), someone met at the first day's first session is on
// Today's "Met this week, nothing since". Today read the week's latest
// 200 events, all of them later sessions, and left that one out.
func TestMetThisWeekAtAConference(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	var first string
	for day := range 5 { // 19 to 23 November, 08:00 to 16:10
		for i := range 50 {
			at := time.Date(2026, 11, 19+day, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute)
			id := s.create(t, tok, "/v1/events", map[string]any{"title": fmt.Sprintf("Session %d.%02d", 19+day, i), "kind": "conference",
				"starts_at": at.Format(time.RFC3339), "ends_at": at.Add(10 * time.Minute).Format(time.RFC3339)})
			if day == 0 && i == 0 {
				first = id
			}
		}
	}
	s.api(t, "POST", "/v1/events/"+first+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Kim Lee"},
		"moment": "after_talk", "met_at": "2026-11-19T08:05:00Z"}, 201, nil)
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app/today")
	if quiet := strings.SplitN(page, "Met this week, nothing since", 2)[1]; !strings.Contains(quiet, "Kim Lee") {
		t.Errorf("Today does not list Kim Lee, met at the first of 250 sessions this week: %.600s", quiet)
	}
}
