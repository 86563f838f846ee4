package api_test

import (
	"strings"
	"testing"
	"time"
)

func TestFollowups(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, other := s.MustSignup(t, "eve@example.com")
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane"})

	f := s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-11-30T09:00:00Z", "note": "send the slides"})
	id := f["id"].(string)
	if f["kind"] != "custom" || f["status"] != "pending" || f["note"] != "send the slides" {
		t.Fatalf("created %v", f)
	}
	t.Run("ErrCreate", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/followups", tok, map[string]any{"due_at": "soon"}), 422, "contact_id", "due_at")
		MustProblem(t, s.Do(t, "POST", "/v1/followups", tok, map[string]any{"contact_id": "nope", "due_at": "2026-11-30T09:00:00Z"}), 404, "contact_id")
	})
	t.Run("OK_ListFilters", func(t *testing.T) {
		s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2027-01-30T09:00:00Z"})
		if n := len(items(t, s.Do(t, "GET", "/v1/followups?due_before=2026-12-31T00:00:00Z", tok, nil))); n != 1 {
			t.Fatalf("due_before: %d, want 1", n)
		}
		if n := len(items(t, s.Do(t, "GET", "/v1/followups?status=pending&contact_id="+jane, tok, nil))); n != 2 {
			t.Fatalf("by contact: %d, want 2", n)
		}
		if n := len(items(t, s.Do(t, "GET", "/v1/followups", other, nil))); n != 0 {
			t.Fatalf("another user sees %d follow-ups", n)
		}
		// An event's: the thank-you and check-in of meeting Jane there, of
		// every status (docs/api.md; not in PRODUCT.md).
		ev := s.MustCreateEvent(t, tok, nil)
		MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": jane, "moment": "after_talk"}), 201)
		fs := items(t, s.Do(t, "GET", "/v1/followups?event_id="+ev, tok, nil))
		if len(fs) != 2 || fs[0]["kind"] != "thank_you" || fs[1]["kind"] != "check_in" {
			t.Fatalf("by event: %v", fs)
		}
		MustStatus(t, s.Do(t, "POST", "/v1/followups/"+fs[0]["id"].(string)+"/done", tok, nil), 200)
		if n := len(items(t, s.Do(t, "GET", "/v1/followups?status=done&event_id="+ev, tok, nil))); n != 1 {
			t.Fatalf("done at the event: %d, want 1", n)
		}
		if n := len(items(t, s.Do(t, "GET", "/v1/followups?event_id="+ev, other, nil))); n != 0 {
			t.Fatalf("another user sees %d of the event's follow-ups", n)
		}
	})
	t.Run("OK_RedateAndSnooze", func(t *testing.T) {
		r := s.Do(t, "PATCH", "/v1/followups/"+id, tok, map[string]any{"due_at": "2026-12-01T10:00:00Z", "note": "and the recording"})
		MustStatus(t, r, 200)
		if m := r.JSON(t); m["due_at"] != "2026-12-01T10:00:00Z" || m["note"] != "and the recording" {
			t.Fatalf("patched %v", m)
		}
		// The test clock is 2026-11-24 17:00 UTC; the user's nudge hour is 9 UTC.
		r = s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{"days": 7})
		MustStatus(t, r, 200)
		if got := r.JSON(t)["due_at"]; got != "2026-12-01T09:00:00Z" {
			t.Fatalf("snoozed to %v, want 2026-12-01T09:00:00Z", got)
		}
		r = s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{"until": "2026-12-24T08:00:00Z"})
		if got := r.JSON(t)["due_at"]; got != "2026-12-24T08:00:00Z" {
			t.Fatalf("snoozed until %v", got)
		}
		MustProblem(t, s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{"until": time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)}), 422, "until")
		MustProblem(t, s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{"days": 0}), 422, "days")
		MustProblem(t, s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{}), 422, "days")
	})
	t.Run("ErrOtherUser", func(t *testing.T) {
		for _, c := range []struct {
			method, path string
			body         any
		}{{"GET", "/v1/followups/" + id, nil}, {"PATCH", "/v1/followups/" + id, map[string]any{"note": "x"}},
			{"POST", "/v1/followups/" + id + "/done", nil}, {"POST", "/v1/followups/" + id + "/snooze", map[string]any{"days": 1}},
			{"DELETE", "/v1/followups/" + id, nil}} {
			MustProblem(t, s.Do(t, c.method, c.path, other, c.body), 404)
		}
		MustProblem(t, s.Do(t, "POST", "/v1/followups", other, map[string]any{"contact_id": jane, "due_at": "2026-11-30T09:00:00Z"}), 404, "contact_id")
	})
	t.Run("OK_DoneThenNotPending", func(t *testing.T) {
		r := s.Do(t, "POST", "/v1/followups/"+id+"/done", tok, nil)
		MustStatus(t, r, 200)
		if got := r.JSON(t)["status"]; got != "done" {
			t.Fatalf("status=%v", got)
		}
		MustProblem(t, s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{"days": 1}), 409)
		MustProblem(t, s.Do(t, "DELETE", "/v1/followups/"+id, tok, nil), 409)
	})
	t.Run("OK_Cancel", func(t *testing.T) {
		g := s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": "2026-11-30T09:00:00Z"})
		MustStatus(t, s.Do(t, "DELETE", "/v1/followups/"+g["id"].(string), tok, nil), 204)
		if got := s.Do(t, "GET", "/v1/followups/"+g["id"].(string), tok, nil).JSON(t)["status"]; got != "cancelled" {
			t.Fatalf("status=%v, want cancelled", got)
		}
	})
}

func TestWebhookURLMustBePublic(t *testing.T) {
	s := MustServe(t)
	s.Accounts.URLCheck = netguardCheck(false)
	_, tok := s.MustSignup(t, "ada@example.com")
	for _, u := range []string{"http://127.0.0.1:9000/hook", "http://localhost/hook", "http://10.0.0.5/x", "http://169.254.169.254/"} {
		MustProblem(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"notify": map[string]any{"webhook_url": u, "webhook_secret": "k"}}), 422, "notify.webhook_url")
	}
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"notify": map[string]any{"webhook_url": "https://hooks.example.com/rapport", "webhook_secret": "k"}}), 200)
	s.Accounts.URLCheck = netguardCheck(true)
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"notify": map[string]any{"webhook_url": "http://127.0.0.1:9000/hook", "webhook_secret": "k"}}), 200)
}

// TestNudgesSayWhy: the follow-ups an encounter or an intro schedule carry
// what was said and to whom (shown in emails, feeds and the phone page);
// event descriptions do not start with a blank line; encounter lists name
// the contact (issue 12.8).
func TestNudgesSayWhy(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Rust meetup", "starts_at": "2026-11-20T18:00:00Z",
		"talks": []map[string]any{{"title": "FFI in anger", "speaker": "Sam"}}})
	enc := s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Dana Lee"},
		"moment": "after_talk", "notes": "Wants our Go–Rust FFI notes", "topics": []string{"go", "rust"}})
	fus := enc["followups"].([]any)
	if len(fus) == 0 {
		t.Fatal("no follow-ups scheduled")
	}
	for _, x := range fus {
		if note := x.(map[string]any)["note"]; note != "Wants our Go–Rust FFI notes · Topics: go, rust" {
			t.Fatalf("follow-up note=%q, want the encounter's note and topics", note)
		}
	}
	dana := enc["contact"].(map[string]any)["id"].(string)
	sam := s.MustCreateContact(t, tok, map[string]any{"name": "Sam Roe"})
	s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{dana, sam}, "context": "both fight FFI"})
	var check map[string]any
	for _, f := range items(t, s.Do(t, "GET", "/v1/followups?contact_id="+dana, tok, nil)) {
		if f["kind"] == "intro_check" {
			check = f
		}
	}
	if check == nil || check["note"] != "You introduced Dana Lee to Sam Roe: both fight FFI" {
		t.Fatalf("intro check=%v, want a note naming both", check)
	}
	ics := s.Do(t, "GET", "/v1/events/"+ev+"/event.ics", tok, nil)
	MustStatus(t, ics, 200)
	if !strings.Contains(string(ics.Body), "\r\nDESCRIPTION:FFI in anger — Sam\r\n") {
		t.Fatalf("event description should start with the talk:\n%s", ics.Body)
	}
	list := items(t, s.Do(t, "GET", "/v1/events/"+ev+"/encounters", tok, nil))
	if len(list) != 1 || list[0]["contact_name"] != "Dana Lee" {
		t.Fatalf("event encounters=%v, want contact_name", list)
	}
	list = items(t, s.Do(t, "GET", "/v1/contacts/"+dana+"/encounters", tok, nil))
	if len(list) != 1 || list[0]["contact_name"] != "Dana Lee" {
		t.Fatalf("contact encounters=%v, want contact_name", list)
	}
}

// TestDropStaleFollowups: POST /v1/followups/stale cancels the user's
// follow-ups of meetings a month overdue or more — a thank-you and a
// check-in of a meeting three months ago — and leaves their own and the
// recent ones; a later before drops no more; a bad before is a problem
// naming it; another user's stay.
func TestDropStaleFollowups(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, other := s.MustSignup(t, "eve@example.com")
	long := s.Clock.Now().AddDate(0, 0, -90).UTC().Format(time.RFC3339)
	var jane string
	for _, who := range []string{tok, other} {
		ev := s.MustCreateEvent(t, who, map[string]any{"title": "GoDays", "starts_at": long})
		met := s.MustCreate(t, who, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane"}, "moment": "after_talk", "met_at": long})
		if who == tok {
			jane = met["contact"].(map[string]any)["id"].(string)
		}
	}
	mine := s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": jane, "due_at": long, "note": "send the slides"})["id"].(string)

	MustProblem(t, s.Do(t, "POST", "/v1/followups/stale", tok, map[string]any{"before": "last spring"}), 422, "before")
	r := s.Do(t, "POST", "/v1/followups/stale", tok, map[string]any{"before": s.Clock.Now().UTC().Format(time.RFC3339)})
	MustStatus(t, r, 200)
	if m := r.JSON(t); m["dropped"] != 2.0 || m["more"] != false {
		t.Fatalf("dropped: %v", m)
	}
	r = s.Do(t, "POST", "/v1/followups/stale", tok, nil)
	MustStatus(t, r, 200)
	if m := r.JSON(t); m["dropped"] != 0.0 {
		t.Fatalf("dropped again: %v", m)
	}
	pending := items(t, s.Do(t, "GET", "/v1/followups?status=pending", tok, nil))
	if len(pending) != 1 || pending[0]["id"] != mine {
		t.Fatalf("pending after the drop: %v, want your own follow-up alone", pending)
	}
	if n := len(items(t, s.Do(t, "GET", "/v1/followups?status=cancelled", tok, nil))); n != 2 {
		t.Fatalf("cancelled: %d, want the thank-you and the check-in", n)
	}
	if n := len(items(t, s.Do(t, "GET", "/v1/followups?status=pending", other, nil))); n != 2 {
		t.Fatalf("another user's pending: %d, want 2", n)
	}
}
