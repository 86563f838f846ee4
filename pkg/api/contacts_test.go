package api_test

import (
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestContacts(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	jane := s.MustCreateContact(t, tok, map[string]any{"name": "Jane Doe", "emails": []string{"Jane@Example.com"},
		"company": "Acme (Berlin)", "linkedin_url": "https://www.linkedin.com/in/Jane-Doe/?trk=x", "tags": []string{"speaker"}, "notes": "Likes Rust+Go"})

	t.Run("ErrDuplicateEmail", func(t *testing.T) {
		p := MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "J. Doe", "emails": []string{" JANE@example.COM"}}), 409)
		if got := p["existing_id"]; got != jane {
			t.Fatalf("existing_id=%v, want %v", got, jane)
		}
	})
	t.Run("ErrDuplicateLinkedIn", func(t *testing.T) {
		p := MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "JD", "linkedin_url": "http://linkedin.com/in/jane-doe"}), 409)
		if got := p["existing_id"]; got != jane {
			t.Fatalf("existing_id=%v, want %v", got, jane)
		}
	})
	t.Run("OK_LinkedInForms", func(t *testing.T) {
		if got := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)["linkedin_url"]; got != "https://www.linkedin.com/in/jane-doe" {
			t.Fatalf("stored linkedin_url=%v, want the canonical form", got)
		}
		for _, form := range []string{"linkedin.com/in/jane-doe", "www.linkedin.com/in/Jane-Doe/", "https://de.linkedin.com/in/jane-doe?trk=people"} {
			p := MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "JD", "linkedin_url": form}), 409)
			if p["existing_id"] != jane {
				t.Fatalf("%s: existing_id=%v, want %v", form, p["existing_id"], jane)
			}
		}
		c := s.MustCreate(t, tok, "/v1/contacts", map[string]any{"name": "Lin Kedin", "linkedin_url": "linkedin.com/in/Lin-Kedin"})
		if c["linkedin_url"] != "https://www.linkedin.com/in/lin-kedin" {
			t.Fatalf("linkedin_url=%v", c["linkedin_url"])
		}
		p := MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "X", "linkedin_url": "example.com/in/x"}), 422, "linkedin_url")
		if errs := p["errors"].([]any); len(errs) != 1 {
			t.Fatalf("%d errors for one bad linkedin_url, want 1: %v", len(errs), errs)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"emails": []string{"not-an-email"}, "linkedin_url": "https://example.com/x", "cadence_days": -1}),
			422, "name", "emails[0]", "linkedin_url", "cadence_days")
		MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "X", "emails": map[string]any{"$ne": nil}}), 422, "emails")
	})
	t.Run("OK_Search", func(t *testing.T) {
		s.MustCreateContact(t, tok, map[string]any{"name": "Bob Smith", "company": "Globex", "tags": []string{"investor"}})
		for q, want := range map[string]int{"jane": 1, "ACME (BERLIN)": 1, "example.com": 1, "SPEAKER": 1, "rust+go": 1, "globex": 1, ".*": 0, "(": 1, "[a-z]": 0, "o": 2} {
			if got := len(items(t, s.Do(t, "GET", "/v1/contacts?q="+url.QueryEscape(q), tok, nil))); got != want {
				t.Errorf("q=%q: %d contacts, want %d", q, got, want)
			}
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/contacts?tag=Investor", tok, nil))); got != 1 {
			t.Errorf("tag: %d, want 1", got)
		}
	})
	t.Run("OK_PatchEmails", func(t *testing.T) {
		other := s.MustCreateContact(t, tok, map[string]any{"name": "Other", "emails": []string{"other@example.com"}})
		p := MustProblem(t, s.Do(t, "PATCH", "/v1/contacts/"+other, tok, map[string]any{"emails": []string{"other@example.com", "jane@example.com"}}), 409)
		if p["existing_id"] != jane {
			t.Fatalf("existing_id=%v, want %v", p["existing_id"], jane)
		}
		// Jane gives up her address; then Other may take it.
		MustStatus(t, s.Do(t, "PATCH", "/v1/contacts/"+jane, tok, map[string]any{"emails": []string{"jane.doe@example.org"}}), 200)
		MustStatus(t, s.Do(t, "PATCH", "/v1/contacts/"+other, tok, map[string]any{"emails": []string{"other@example.com", "jane@example.com"}}), 200)
		MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "Again", "emails": []string{"jane@example.com"}}), 409)
	})
}

func TestContactsConcurrentDuplicate(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	const n = 16
	var wg sync.WaitGroup
	res := make([]*Response, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": fmt.Sprint("Jane ", i), "emails": []string{"jane@example.com"}})
		}()
	}
	wg.Wait()
	var created string
	for _, r := range res {
		if r.Status == 201 {
			if created != "" {
				t.Fatalf("two contacts created")
			}
			created = r.JSON(t)["id"].(string)
		}
	}
	if created == "" {
		t.Fatalf("no contact created")
	}
	for _, r := range res {
		if r.Status != 201 {
			if p := MustProblem(t, r, 409); p["existing_id"] != created {
				t.Fatalf("existing_id=%v, want %v", p["existing_id"], created)
			}
		}
	}
	if got := s.count(t, "contacts", bson.M{}); got != 1 {
		t.Fatalf("%d contacts stored, want 1", got)
	}
}

func TestEncounters(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"timezone": "America/Los_Angeles", "nudge_hour": 8}), 200)
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "SF Go", "starts_at": "2026-11-25T02:00:00Z"})
	s.Clock.Add(12 * time.Hour) // the encounters below are logged after the meetup (05:00Z)

	var janeID string
	t.Run("OK_InlineContact", func(t *testing.T) {
		r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{
			"contact": map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}},
			"moment":  "after_talk", "met_at": "2026-11-25T04:30:00Z", "notes": "Talked about WASM", "topics": []string{"wasm", "Go"},
		})
		MustStatus(t, r, 201)
		var out struct {
			Encounter struct {
				ID        string
				EventID   string `json:"event_id"`
				ContactID string `json:"contact_id"`
				Moment    string
			} `json:"encounter"`
			Contact struct {
				ID              string
				LastContactedAt string `json:"last_contacted_at"`
			}
			Followups []struct {
				ID, Kind, Status string
				DueAt            string `json:"due_at"`
				EncounterID      string `json:"encounter_id"`
			}
		}
		r.Decode(t, &out)
		janeID = out.Contact.ID
		if out.Encounter.ContactID != janeID || out.Encounter.EventID != ev || out.Encounter.Moment != "after_talk" {
			t.Fatalf("encounter=%+v", out.Encounter)
		}
		if out.Contact.LastContactedAt != "2026-11-25T04:30:00Z" {
			t.Fatalf("last_contacted_at=%q", out.Contact.LastContactedAt)
		}
		// Met 20:30 on Nov 24 in Los Angeles: thank-you Nov 25 08:00 PST, check-in Dec 24 08:00 PST.
		want := map[string]string{"thank_you": "2026-11-25T16:00:00Z", "check_in": "2026-12-24T16:00:00Z"}
		if len(out.Followups) != 2 {
			t.Fatalf("followups=%+v, want 2", out.Followups)
		}
		for _, f := range out.Followups {
			if f.DueAt != want[f.Kind] || f.Status != "pending" || f.EncounterID != out.Encounter.ID {
				t.Errorf("follow-up %+v, want due %s", f, want[f.Kind])
			}
		}
	})
	t.Run("OK_SamePersonAgainReusesContact", func(t *testing.T) {
		r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{
			"contact": map[string]any{"name": "Jane D.", "emails": []string{"JANE@example.com"}, "company": "Acme"},
			"moment":  "before_talk",
		})
		MustStatus(t, r, 201)
		m := r.JSON(t)
		c := m["contact"].(map[string]any)
		if c["id"] != janeID || c["name"] != "Jane" || c["company"] != "Acme" {
			t.Fatalf("contact=%v; want the existing Jane, her blank company filled", c)
		}
		if got := s.count(t, "contacts", bson.M{}); got != 1 {
			t.Fatalf("%d contacts, want 1", got)
		}
		if got := s.count(t, "followups", bson.M{"status": "pending"}); got != 2 {
			t.Fatalf("%d pending follow-ups, want 2 (a kind pending once per contact)", got)
		}
	})
	t.Run("OK_ExistingContactNoFollowup", func(t *testing.T) {
		bob := s.MustCreateContact(t, tok, map[string]any{"name": "Bob"})
		r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": bob, "moment": "during_talk", "followup": false})
		MustStatus(t, r, 201)
		if f := r.JSON(t)["followups"].([]any); len(f) != 0 {
			t.Fatalf("followups=%v, want none", f)
		}
		list := items(t, s.Do(t, "GET", "/v1/contacts?event_id="+ev, tok, nil))
		if len(list) != 2 {
			t.Fatalf("contacts met at the event: %d, want 2", len(list))
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/events/"+ev+"/encounters", tok, nil))); got != 3 {
			t.Fatalf("event encounters: %d, want 3", got)
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/contacts/"+bob+"/encounters", tok, nil))); got != 1 {
			t.Fatalf("bob's encounters: %d, want 1", got)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"moment": "at_lunch", "contact": map[string]any{"emails": []string{"x"}}}),
			422, "moment", "contact.name", "contact.emails[0]")
		MustProblem(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"moment": "other"}), 422, "contact_id")
		MustProblem(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"moment": "other", "contact_id": "nope"}), 404, "contact_id")
		MustProblem(t, s.Do(t, "POST", "/v1/events/nope/encounters", tok, map[string]any{"moment": "other", "contact": map[string]any{"name": "Z"}}), 404)
		if got := s.count(t, "contacts", bson.M{"name": "Z"}); got != 0 {
			t.Fatalf("a failed encounter left a contact behind")
		}
		// met_at hours ahead would drop out of insights until then: refused;
		// a phone's clock a few minutes fast is not.
		ahead := s.Clock.Now().Add(3 * time.Hour).Format(time.RFC3339)
		MustProblem(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"moment": "other", "contact": map[string]any{"name": "Future"}, "met_at": ahead}), 422, "met_at")
		if got := s.count(t, "contacts", bson.M{"name": "Future"}); got != 0 {
			t.Fatalf("a refused encounter left a contact behind")
		}
		skew := s.Clock.Now().Add(5 * time.Minute).Format(time.RFC3339)
		MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"moment": "other", "contact": map[string]any{"name": "Fast Phone"}, "met_at": skew}), 201)
	})
	t.Run("OK_IdempotentReplay", func(t *testing.T) {
		body := map[string]any{"contact": map[string]any{"name": "Carol", "emails": []string{"carol@example.com"}}, "moment": "after_talk"}
		r1 := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, body, "Idempotency-Key", "hallway-1")
		r2 := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, body, "Idempotency-Key", "hallway-1")
		MustStatus(t, r1, 201)
		MustStatus(t, r2, 201)
		if string(r1.Body) != string(r2.Body) {
			t.Fatalf("replay differs")
		}
		if got := s.count(t, "encounters", bson.M{"contact_id": r1.JSON(t)["contact"].(map[string]any)["id"]}); got != 1 {
			t.Fatalf("%d encounters for one idempotent request, want 1", got)
		}
	})
	t.Run("OK_ConcurrentInlineSamePerson", func(t *testing.T) {
		var wg sync.WaitGroup
		ids := make([]string, 12)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{
					"contact": map[string]any{"name": "Dan", "linkedin_url": "https://linkedin.com/in/dan"}, "moment": "other"})
				if r.Status == 201 {
					ids[i] = r.JSON(t)["contact"].(map[string]any)["id"].(string)
				} else {
					t.Errorf("status %d: %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("contacts %v: want one", ids)
			}
		}
		if got := s.count(t, "contacts", bson.M{"name": "Dan"}); got != 1 {
			t.Fatalf("%d Dans, want 1", got)
		}
	})
	t.Run("OK_DeleteEncounterCancelsItsFollowups", func(t *testing.T) {
		r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Eve"}, "moment": "other"})
		m := r.JSON(t)
		encID := m["encounter"].(map[string]any)["id"].(string)
		MustStatus(t, s.Do(t, "DELETE", "/v1/encounters/"+encID, tok, nil), 204)
		if got := s.count(t, "followups", bson.M{"encounter_id": encID}); got != 0 {
			t.Fatalf("%d follow-ups still point at the deleted encounter", got)
		}
		if got := s.count(t, "followups", bson.M{"contact_id": m["contact"].(map[string]any)["id"], "status": "pending"}); got != 0 {
			t.Fatalf("%d pending follow-ups of the deleted encounter", got)
		}
		MustProblem(t, s.Do(t, "DELETE", "/v1/encounters/"+encID, tok, nil), 404)
	})
}

func TestIntros(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	a := s.MustCreateContact(t, tok, map[string]any{"name": "A"})
	b := s.MustCreateContact(t, tok, map[string]any{"name": "B"})
	ev := s.MustCreateEvent(t, tok, nil)

	t.Run("OK_MadeAtOnceSchedulesCheck", func(t *testing.T) {
		it := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{a, b}, "event_id": ev, "context": "both into Go"})
		if it["status"] != "made" {
			t.Fatalf("status=%v, want made", it["status"])
		}
		if got := s.count(t, "followups", bson.M{"intro_id": it["id"], "kind": "intro_check", "status": "pending"}); got != 1 {
			t.Fatalf("%d intro checks, want 1", got)
		}
	})
	t.Run("OK_DoubleOptIn", func(t *testing.T) {
		it := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{b, a}, "double_opt_in": true})
		id := it["id"].(string)
		if it["status"] != "proposed" {
			t.Fatalf("status=%v, want proposed", it["status"])
		}
		MustProblem(t, s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"status": "made"}), 422, "status")
		MustStatus(t, s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"status": "accepted"}), 200)
		r := s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"status": "made", "outcome": "they met for coffee"})
		MustStatus(t, r, 200)
		if m := r.JSON(t); m["status"] != "made" || m["outcome"] != "they met for coffee" {
			t.Fatalf("intro=%v", m)
		}
		if got := s.count(t, "followups", bson.M{"intro_id": id, "kind": "intro_check"}); got != 1 {
			t.Fatalf("%d intro checks, want 1", got)
		}
		MustProblem(t, s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"status": "proposed"}), 422, "status")
		MustStatus(t, s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"outcome": "hired!"}), 200)
	})
	t.Run("OK_DeclinedIsFinal", func(t *testing.T) {
		it := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{a, b}, "double_opt_in": true})
		id := it["id"].(string)
		MustStatus(t, s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"status": "declined"}), 200)
		MustProblem(t, s.Do(t, "PATCH", "/v1/intros/"+id, tok, map[string]any{"status": "accepted"}), 422, "status")
	})
	t.Run("OK_List", func(t *testing.T) {
		if got := len(items(t, s.Do(t, "GET", "/v1/intros?status=made", tok, nil))); got != 2 {
			t.Fatalf("made intros: %d, want 2", got)
		}
		if got := len(items(t, s.Do(t, "GET", "/v1/intros?contact_id="+a, tok, nil))); got != 3 {
			t.Fatalf("intros with A: %d, want 3", got)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		MustProblem(t, s.Do(t, "POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{a, a}}), 422, "contact_ids")
		MustProblem(t, s.Do(t, "POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{a}}), 422, "contact_ids")
		MustProblem(t, s.Do(t, "POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{a, "nope"}}), 404, "contact_ids[1]")
		MustProblem(t, s.Do(t, "POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{a, b}, "event_id": "nope"}), 404, "event_id")
	})
}

func TestInteractions(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "M", "starts_at": "2026-11-24T18:00:00Z"})
	s.Clock.Add(3*time.Hour + 30*time.Minute) // 20:30Z: logged just after meeting her
	r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane", "cadence_days": 60}, "moment": "after_talk", "met_at": "2026-11-24T20:00:00Z"})
	MustStatus(t, r, 201)
	jane := r.JSON(t)["contact"].(map[string]any)["id"].(string)

	r = s.Do(t, "POST", "/v1/contacts/"+jane+"/interactions", tok, map[string]any{"kind": "email", "at": "2026-11-24T22:00:00Z", "notes": "thanks!"})
	MustStatus(t, r, 201)
	if got := s.count(t, "followups", bson.M{"contact_id": jane, "kind": "thank_you", "status": "done"}); got != 1 {
		t.Fatalf("thank-you not done after the email: %d", got)
	}
	if got := s.count(t, "followups", bson.M{"contact_id": jane, "kind": "check_in", "status": "pending"}); got != 1 {
		t.Fatalf("check-in (due in 30 days) should stay pending: %d", got)
	}
	// An older interaction logged later does not move last_contacted_at back.
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+jane+"/interactions", tok, map[string]any{"kind": "call", "at": "2026-11-20T10:00:00Z"}), 201)
	c := s.Do(t, "GET", "/v1/contacts/"+jane, tok, nil).JSON(t)
	if got := c["last_contacted_at"]; got != "2026-11-24T22:00:00Z" {
		t.Fatalf("last_contacted_at=%v, want the latest", got)
	}
	list := items(t, s.Do(t, "GET", "/v1/contacts/"+jane+"/interactions", tok, nil))
	if len(list) != 2 || list[0]["kind"] != "email" {
		t.Fatalf("interactions=%v, want 2, newest first", list)
	}
	if got := s.count(t, "followups", bson.M{"contact_id": jane, "kind": "stay_in_touch", "status": "pending"}); got != 1 {
		t.Fatalf("stay-in-touch pending: %d, want 1", got)
	}
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/"+jane+"/interactions", tok, map[string]any{"kind": "telepathy", "at": "soon"}), 422, "kind", "at")
	MustProblem(t, s.Do(t, "POST", "/v1/contacts/nope/interactions", tok, map[string]any{"kind": "call"}), 404)
}

func TestIdempotencyConcurrentSameKey(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, nil)
	body := map[string]any{"contact": map[string]any{"name": "Flaky Wifi", "emails": []string{"fw@example.com"}}, "moment": "after_talk"}
	var wg sync.WaitGroup
	res := make([]*Response, 10)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, body, "Idempotency-Key", "tap-tap-tap")
		}()
	}
	wg.Wait()
	var first string
	for _, r := range res {
		switch r.Status {
		case 201:
			if first == "" {
				first = string(r.Body)
			} else if string(r.Body) != first {
				t.Fatalf("two different 201 bodies for one key")
			}
		case 409:
		default:
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
	if got := s.count(t, "encounters", bson.M{}); got != 1 {
		t.Fatalf("%d encounters, want 1", got)
	}
	// Once the first has finished, a retry replays it.
	r := s.Do(t, "POST", "/v1/events/"+ev+"/encounters", tok, body, "Idempotency-Key", "tap-tap-tap")
	MustStatus(t, r, 201)
	if first != "" && string(r.Body) != first {
		t.Fatalf("retry body differs from the first answer")
	}
}

// TestContactListCacheAcrossServers: two servers on one store (as two
// processes would be) never serve a stale contact list: every write changes
// the stamp both read.
func TestContactListCacheAcrossServers(t *testing.T) {
	a := MustServe(t)
	b := mustServeSame(t, a)
	_, tok := a.MustSignup(t, "ada@example.com")
	jane := a.MustCreateContact(t, tok, map[string]any{"name": "Jane"})
	if n := len(items(t, b.Do(t, "GET", "/v1/contacts", tok, nil))); n != 1 {
		t.Fatalf("b lists %d contacts, want 1", n)
	}
	a.MustCreateContact(t, tok, map[string]any{"name": "Bob", "tags": []string{"investor"}})
	if n := len(items(t, b.Do(t, "GET", "/v1/contacts", tok, nil))); n != 2 {
		t.Fatalf("b lists %d contacts after a write on a, want 2", n)
	}
	MustStatus(t, a.Do(t, "PATCH", "/v1/contacts/"+jane, tok, map[string]any{"name": "Janet", "tags": []string{"investor"}}), 200)
	got := items(t, b.Do(t, "GET", "/v1/contacts?tag=investor", tok, nil))
	if len(got) != 2 || got[1]["name"] != "Janet" {
		t.Fatalf("b after a rename on a: %v", got)
	}
	MustStatus(t, a.Do(t, "DELETE", "/v1/contacts/"+jane, tok, nil), 204)
	if n := len(items(t, b.Do(t, "GET", "/v1/contacts", tok, nil))); n != 1 {
		t.Fatalf("b lists %d contacts after a delete on a, want 1", n)
	}
	// Paging through the cache: 7 contacts, 3 per page.
	for i := 0; i < 6; i++ {
		a.MustCreateContact(t, tok, map[string]any{"name": fmt.Sprint("Person ", i)})
	}
	var names []string
	cursor := ""
	for {
		var p struct {
			Items      []struct{ Name string }
			NextCursor string `json:"next_cursor"`
		}
		b.Do(t, "GET", "/v1/contacts?limit=3&cursor="+cursor, tok, nil).Decode(t, &p)
		for _, it := range p.Items {
			names = append(names, it.Name)
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if got := fmt.Sprint(names); got != "[Bob Person 0 Person 1 Person 2 Person 3 Person 4 Person 5]" {
		t.Fatalf("paged names %s", got)
	}
}
