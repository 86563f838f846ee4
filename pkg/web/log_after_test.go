package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLogAfterTheEvent: an event's page links to the log form with the
// event picked, though it was two weeks ago; who you met there, logged
// now or marked met on its guest list, is dated at the event by the
// moment (its start before the talk, the talk's start during it, its end
// after it), not today; the form comes back with the event still picked
// for the next person. Another user's event is not offered.
func TestLogAfterTheEvent(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-10T18:00:00Z", "ends_at": "2026-11-10T21:00:00Z",
		"talks": []map[string]any{{"title": "Generics", "speaker": "Rob", "starts_at": "2026-11-10T18:30:00Z"}}})
	evesEvent := s.create(t, eve, "/v1/events", map[string]any{"title": "Eve's secret", "starts_at": "2026-11-12T18:00:00Z"})
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/events/" + ev)
	mustContain(t, page, `<a class="button secondary" href="/app?event_id=`+ev+`">Log someone you met here</a>`)
	_, page = b.get("/app?event_id=" + ev)
	mustContain(t, page, `<option value="`+ev+`" selected>GoDays · Tue 10 Nov 2026</option>`)
	met := map[string]string{}
	for _, c := range []struct{ name, moment, want string }{
		{"Bea Before", "before_talk", "2026-11-10T18:00:00Z"},
		{"Dan During", "during_talk", "2026-11-10T18:30:00Z"},
		{"Al After", "after_talk", "2026-11-10T21:00:00Z"},
	} {
		f := form(b.last, "/app/encounters")
		f.Set("event_id", ev)
		f.Set("name", c.name)
		f.Set("moment", c.moment)
		st, page := b.post("/app/encounters", f)
		if st != 200 || !strings.Contains(page, "Saved "+c.name+".") || !strings.Contains(page, `<option value="`+ev+`" selected>`) {
			t.Fatalf("%s: %d, the event picked again: %v", c.name, st, strings.Contains(page, `<option value="`+ev+`" selected>`))
		}
		met[c.name] = c.want
	}
	// Marked met on the guest list, two weeks on.
	if r := s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, "name,email\nGwen Guest,gwen@example.com\n", "Content-Type", "text/csv"); r.Status != 200 {
		t.Fatalf("guest list: %d", r.Status)
	}
	_, page = b.get("/app/events/" + ev + "/guests")
	gwen := regexp.MustCompile(`<tr id="g-([0-9a-f]+)"><td>Gwen`).FindStringSubmatch(page)
	if gwen == nil {
		t.Fatal("no row for Gwen")
	}
	if st, page := b.post("/app/events/"+ev+"/guests/"+gwen[1]+"/met", url.Values{"moment": {"after_talk"}}); st != 200 || !strings.Contains(page, "Met Gwen Guest: saved.") {
		t.Fatalf("met from the guest list: %d", st)
	}
	met["Gwen Guest"] = "2026-11-10T21:00:00Z"

	var encs struct {
		Items []struct {
			ContactID string `json:"contact_id"`
			MetAt     string `json:"met_at"`
		}
	}
	s.api(t, "GET", "/v1/events/"+ev+"/encounters", tok, nil, 200, &encs)
	if len(encs.Items) != len(met) {
		t.Fatalf("%d encounters, want %d", len(encs.Items), len(met))
	}
	for _, e := range encs.Items {
		var ct struct{ Name string }
		s.api(t, "GET", "/v1/contacts/"+e.ContactID, tok, nil, 200, &ct)
		if want := met[ct.Name]; e.MetAt != want {
			t.Errorf("%s met at %s, want %s", ct.Name, e.MetAt, want)
		}
	}

	// Another user's event: not offered, the form as without it.
	if _, page := b.get("/app?event_id=" + evesEvent); strings.Contains(page, "Eve&#39;s secret") || strings.Contains(page, evesEvent) {
		t.Fatal("another user's event offered on the log form")
	}
}

// TestLogFormBroughtBack: the log form, sent, then brought back with the
// browser's Back button (its one-time id as it was) and filled in for the
// next person met, logs that person too; sent again as it was, nobody new.
func TestLogFormBroughtBack(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	b := s.signedIn(t, "ada@example.com", tok)
	_, page := b.get("/app")
	sent := form(page, "/app/encounters")
	sent.Set("event_title", "Go meetup")
	sent.Set("moment", "after_talk")
	for _, name := range []string{"Jane Doe", "Bo Ng", "Bo Ng"} {
		sent.Set("name", name)
		if st, page := b.post("/app/encounters", sent); st != 200 || !strings.Contains(page, "Saved "+name+".") {
			t.Fatalf("logging %s: %d\n%.2000s", name, st, page)
		}
	}
	var list struct{ Items []struct{ Name string } }
	s.api(t, "GET", "/v1/contacts", tok, nil, 200, &list)
	if len(list.Items) != 2 {
		t.Fatalf("contacts after logging Jane, Bo and Bo again on one form: %+v, want Jane and Bo", list.Items)
	}
}
