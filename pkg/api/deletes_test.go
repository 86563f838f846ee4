package api_test

import (
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestDeleteInteraction: an interaction logged by mistake goes; the last
// contact and the stay-in-touch follow-up go back to what is left (as
// when an encounter goes), the giving ledger and insights stop counting
// it, and another user's is 404.
func TestDeleteInteraction(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "M", "starts_at": "2026-11-24T18:00:00Z"})
	r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane", "cadence_days": 60}, "moment": "after_talk", "met_at": "2026-11-24T14:00:00Z"})
	MustStatus(t, r, 201)
	jane := r.JSON(t)["contact"].(map[string]any)["id"].(string)
	met := r.JSON(t)["encounter"].(map[string]any)["id"].(string)
	call := s.MustCreate(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "call", "at": "2026-11-20T10:00:00Z"})["id"].(string)
	email := s.MustCreate(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "email", "at": "2026-11-24T16:00:00Z"})["id"].(string)
	stayInTouch := func() string {
		fs := items(t, s.Do(t, "GET", "/v1/followups?contact_id="+jane+"&status=pending", tok, nil))
		for _, f := range fs {
			if f["kind"] == "stay_in_touch" {
				return f["due_at"].(string)
			}
		}
		t.Fatalf("no stay-in-touch follow-up pending: %v", fs)
		return ""
	}
	lastContact := func() any { return s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)["last_contacted_at"] }
	due := stayInTouch()

	// Help logged on the wrong day (and the wrong person): it is the last contact.
	wrong := s.MustCreate(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "helped", "at": "2026-11-26T10:00:00Z"})["id"].(string)
	if got := lastContact(); got != "2026-11-26T10:00:00Z" || stayInTouch() == due {
		t.Fatalf("after the mistake: last contact %v, stay in touch %s", got, stayInTouch())
	}
	MustProblem(t, s.Do(t, "DELETE", "/v1/interactions/"+wrong, eve, nil), 404)
	MustStatus(t, s.Do(t, "DELETE", "/v1/interactions/"+wrong, tok, nil), 204)
	MustProblem(t, s.Do(t, "DELETE", "/v1/interactions/"+wrong, tok, nil), 404)
	if got := lastContact(); got != "2026-11-24T16:00:00Z" {
		t.Fatalf("last contact %v, want the email's", got)
	}
	if got := stayInTouch(); got != due {
		t.Fatalf("stay in touch due %s, want %s again", got, due)
	}
	rec := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)["reciprocity"].(map[string]any)
	if rec["given"] != 0.0 {
		t.Fatalf("reciprocity %v: the removed help still counts", rec)
	}

	// The email goes: the encounter is the last contact. An older call
	// going changes nothing; with nothing left the contact is never contacted.
	MustStatus(t, s.Do(t, "DELETE", "/v1/interactions/"+email, tok, nil), 204)
	if got := lastContact(); got != "2026-11-24T14:00:00Z" {
		t.Fatalf("last contact %v, want the encounter's", got)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/interactions/"+call, tok, nil), 204)
	if got := lastContact(); got != "2026-11-24T14:00:00Z" {
		t.Fatalf("last contact %v after an older call went", got)
	}
	if list := items(t, s.Do(t, "GET", "/v1/contacts/"+jane+"/interactions", tok, nil)); len(list) != 0 {
		t.Fatalf("%d interactions left", len(list))
	}
	// An encounter logged by mistake goes the same way: nothing is left.
	MustStatus(t, s.Do(t, "DELETE", "/v1/encounters/"+met, tok, nil), 204)
	if got := lastContact(); got != nil {
		t.Fatalf("last contact %v with nothing logged, want never", got)
	}
	bo := s.MustCreate(t, tok, "/v1/contacts", map[string]any{"name": "Bo"})["id"].(string)
	only := s.MustCreate(t, tok, "/v1/contacts/"+bo+"/interactions", map[string]any{"kind": "call", "at": "2026-11-21T10:00:00Z"})["id"].(string)
	MustStatus(t, s.Do(t, "DELETE", "/v1/interactions/"+only, tok, nil), 204)
	if got := s.Do(t, "GET", "/v1/contacts/"+bo, tok, nil).JSON(t)["last_contacted_at"]; got != nil {
		t.Fatalf("Bo's last contact %v, want never", got)
	}

	// What was given to an event, with no contact, goes the same way.
	gave := s.MustCreate(t, tok, "/v1/events/"+ev+"/giving", map[string]any{"kind": "volunteered", "at": "2026-11-24T12:00:00Z"})["id"].(string)
	volunteered := func() any {
		return s.Do(t, "GET", "/v1/insights", tok, nil).JSON(t)["giving"].(map[string]any)["events_volunteered"]
	}
	if got := volunteered(); got != 1.0 {
		t.Fatalf("events volunteered %v", got)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/interactions/"+gave, tok, nil), 204)
	if got := volunteered(); got != 0.0 {
		t.Fatalf("events volunteered %v after it went", got)
	}
}

// TestDeleteEventSetsLastContactBack: the people met at a deleted event
// whose last contact it was get the one before it, or none.
func TestDeleteEventSetsLastContactBack(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	earlier := s.MustCreateEvent(t, tok, map[string]any{"title": "Earlier", "starts_at": "2026-11-10T18:00:00Z"})
	wrong := s.MustCreateEvent(t, tok, map[string]any{"title": "Logged twice", "starts_at": "2026-11-20T18:00:00Z"})
	meet := func(ev string, who map[string]any, at string) string {
		r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": who, "moment": "after_talk", "met_at": at})
		MustStatus(t, r, 201)
		return r.JSON(t)["contact"].(map[string]any)["id"].(string)
	}
	jane := meet(earlier, map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}}, "2026-11-10T19:00:00Z")
	meet(wrong, map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}}, "2026-11-20T19:00:00Z")
	bo := meet(wrong, map[string]any{"name": "Bo"}, "2026-11-20T20:00:00Z")
	kim := meet(wrong, map[string]any{"name": "Kim"}, "2026-11-20T20:30:00Z")
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+kim+"/interactions", tok, map[string]any{"kind": "email", "at": "2026-11-21T09:00:00Z"}), 201)
	last := func(id string) any { return s.Do(t, "GET", "/v1/contacts/"+id, tok, nil).JSON(t)["last_contacted_at"] }
	if got := last(jane); got != "2026-11-20T19:00:00Z" {
		t.Fatalf("Jane's last contact %v before the delete", got)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+wrong, tok, nil), 204)
	for id, want := range map[string]any{jane: "2026-11-10T19:00:00Z", bo: nil, kim: "2026-11-21T09:00:00Z"} {
		if got := last(id); got != want {
			t.Errorf("last contact %v after the event went, want %v", got, want)
		}
	}
}

func TestDeleteLeavesNothingDangling(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, nil)
	enc := s.MustCreate(t, tok, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane", "emails": []string{"j@example.com"}}, "moment": "other"})
	jane := enc["contact"].(map[string]any)["id"].(string)
	bob := s.MustCreateContact(t, tok, map[string]any{"name": "Bob"})
	intro := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{bob, jane}, "event_id": ev})
	s.MustCreate(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "call"})

	t.Run("Event", func(t *testing.T) {
		MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+ev, tok, nil), 204)
		if got := s.count(t, "encounters", bson.M{"event_id": ev}); got != 0 {
			t.Fatalf("%d encounters of a deleted event", got)
		}
		if got := s.count(t, "followups", bson.M{"$or": bson.A{bson.M{"event_id": ev}, bson.M{"encounter_id": enc["encounter"].(map[string]any)["id"]}}}); got != 0 {
			t.Fatalf("%d follow-ups point at the deleted event or encounter", got)
		}
		it := s.Do(t, "GET", "/v1/intros/"+intro["id"].(string), tok, nil).JSON(t)
		if _, has := it["event_id"]; has {
			t.Fatalf("intro still points at the deleted event: %v", it)
		}
	})
	t.Run("Contact", func(t *testing.T) {
		MustStatus(t, s.Do(t, "DELETE", "/v1/contacts/"+jane, tok, nil), 204)
		for _, coll := range []string{"encounters", "interactions", "followups"} {
			if got := s.count(t, coll, bson.M{"contact_id": jane}); got != 0 {
				t.Fatalf("%d %s of a deleted contact", got, coll)
			}
		}
		if got := s.count(t, "intros", bson.M{"contact_ids": jane}); got != 0 {
			t.Fatalf("%d intros with a deleted contact", got)
		}
		if got := s.count(t, "followups", bson.M{"intro_id": intro["id"]}); got != 0 {
			t.Fatalf("%d follow-ups of the deleted intro", got)
		}
		// The address is free again.
		s.MustCreateContact(t, tok, map[string]any{"name": "Jane again", "emails": []string{"j@example.com"}})
	})
}
