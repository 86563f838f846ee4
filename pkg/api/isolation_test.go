package api_test

import (
	"testing"
)

// TestIsolation checks every route that takes an id: another user's id is a
// 404, and nothing of the other user is changed or listed.
func TestIsolation(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "alice@example.com")
	_, b := s.MustSignup(t, "bob@example.com")

	ev := s.MustCreateEvent(t, a, nil)
	enc := s.MustCreate(t, a, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}}, "moment": "other"})
	jane := enc["contact"].(map[string]any)["id"].(string)
	encID := enc["encounter"].(map[string]any)["id"].(string)
	kim := s.MustCreateContact(t, a, map[string]any{"name": "Kim"})
	intro := s.MustCreate(t, a, "/v1/intros", map[string]any{"contact_ids": []string{jane, kim}, "double_opt_in": true})["id"].(string)
	tokID := s.MustCreate(t, a, "/v1/tokens", map[string]any{"name": "x"})["id"].(string)
	bEvent := s.MustCreateEvent(t, b, nil)
	bContact := s.MustCreateContact(t, b, map[string]any{"name": "Bob's friend"})

	for _, tc := range []struct {
		name, method, path string
		body               any
	}{
		{"EventGet", "GET", "/v1/events/" + ev, nil},
		{"EventPatch", "PATCH", "/v1/events/" + ev, map[string]any{"title": "mine now"}},
		{"EventDelete", "DELETE", "/v1/events/" + ev, nil},
		{"EventEncounters", "GET", "/v1/events/" + ev + "/encounters", nil},
		{"EncounterCreateOnOthersEvent", "POST", "/v1/events/" + ev + "/encounters", map[string]any{"contact_id": bContact, "moment": "other"}},
		{"EncounterWithOthersContact", "POST", "/v1/events/" + bEvent + "/encounters", map[string]any{"contact_id": jane, "moment": "other"}},
		{"EncounterDelete", "DELETE", "/v1/encounters/" + encID, nil},
		{"ContactsAtOthersEvent", "GET", "/v1/contacts?event_id=" + ev, nil},
		{"ContactGet", "GET", "/v1/contacts/" + jane, nil},
		{"ContactPatch", "PATCH", "/v1/contacts/" + jane, map[string]any{"name": "x"}},
		{"ContactDelete", "DELETE", "/v1/contacts/" + jane, nil},
		{"ContactEncounters", "GET", "/v1/contacts/" + jane + "/encounters", nil},
		{"InteractionCreate", "POST", "/v1/contacts/" + jane + "/interactions", map[string]any{"kind": "call"}},
		{"InteractionList", "GET", "/v1/contacts/" + jane + "/interactions", nil},
		{"IntroGet", "GET", "/v1/intros/" + intro, nil},
		{"IntroPatch", "PATCH", "/v1/intros/" + intro, map[string]any{"status": "declined"}},
		{"IntroWithOthersContacts", "POST", "/v1/intros", map[string]any{"contact_ids": []string{jane, bContact}}},
		{"TokenDelete", "DELETE", "/v1/tokens/" + tokID, nil},
	} {
		t.Run("Err404_"+tc.name, func(t *testing.T) {
			MustProblem(t, s.Do(t, tc.method, tc.path, b, tc.body), 404)
		})
	}

	t.Run("OK_ListsAreScoped", func(t *testing.T) {
		for _, path := range []string{"/v1/events", "/v1/contacts", "/v1/intros"} {
			for _, it := range items(t, s.Do(t, "GET", path, b, nil)) {
				if id := it["id"]; id == ev || id == jane || id == kim || id == intro {
					t.Fatalf("%s lists alice's %v", path, id)
				}
			}
		}
		// Bob may create a contact with Alice's contact's email: dedupe is per user.
		s.MustCreateContact(t, b, map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}})
	})
	t.Run("OK_AliceUntouched", func(t *testing.T) {
		if got := s.Do(t, "GET", "/v1/contacts/"+jane, a, nil).JSON(t)["name"]; got != "Jane" {
			t.Fatalf("alice's contact name=%v", got)
		}
		if got := s.Do(t, "GET", "/v1/intros/"+intro, a, nil).JSON(t)["status"]; got != "proposed" {
			t.Fatalf("alice's intro status=%v", got)
		}
		MustStatus(t, s.Do(t, "GET", "/v1/events/"+ev, a, nil), 200)
		if got := len(items(t, s.Do(t, "GET", "/v1/events/"+ev+"/encounters", a, nil))); got != 1 {
			t.Fatalf("alice's encounters: %d", got)
		}
	})
}
