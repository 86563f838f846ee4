package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestPhoneGroupsOnTheDesk: the groups a phone keeps as cards of their own
// show on a contact's page (the contact's card named by its UID: the
// contact's id for a card Rapport named, the app's UID for one the phone
// made) and filter the contacts table; another user's group naming the
// same contact shows nowhere.
func TestPhoneGroupsOnTheDesk(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	eve := s.signup(t, "eve@example.com")
	var me, eveMe struct{ ID string }
	s.api(t, "GET", "/v1/me", tok, nil, 200, &me)
	s.api(t, "GET", "/v1/me", eve, nil, 200, &eveMe)
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Nora Notin"})
	ctx, now := t.Context(), time.Now()
	made := &contacts.Contact{ID: record.NewID(), UserID: me.ID, Name: "Phil Phonemade", Emails: []string{}, Phones: []string{}, Tags: []string{},
		DAVName: "5B0C1D2E-PHIL", CardUID: "5B0C1D2E-PHIL", CreatedAt: now, UpdatedAt: now}
	if err := s.CRM.Contacts.Store.CreateContact(ctx, made); err != nil {
		t.Fatal(err)
	}
	group := func(user, name, fn string, members ...string) {
		card := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:" + fn + ";;;;\r\nFN:" + fn + "\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n"
		for _, m := range members {
			card += "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:" + m + "\r\n"
		}
		card += "UID:" + name + "\r\nEND:VCARD\r\n"
		if err := s.CRM.Contacts.Store.PutCardGroup(ctx, &contacts.CardGroup{ID: record.NewID(), UserID: user, DAVName: name, Name: fn, Card: card, UpdatedAt: now}, contacts.CardGroupsFit); err != nil {
			t.Fatal(err)
		}
	}
	group(me.ID, "berlin-go", "Berlin Go", jane, "5B0C1D2E-PHIL", "0000-nobody")
	group(me.ID, "speakers", "Speakers", jane)
	group(eveMe.ID, "eves-group", "Eve's group", jane)
	b := s.signedIn(t, "ada@example.com", tok)

	_, page := b.get("/app/contacts/" + jane)
	mustContain(t, page, `In your phone's groups: <a href="/app/contacts?group=berlin-go">Berlin Go</a>, <a href="/app/contacts?group=speakers">Speakers</a>`)
	if _, page = b.get("/app/contacts/" + made.ID); !strings.Contains(page, `In your phone's groups: <a href="/app/contacts?group=berlin-go">Berlin Go</a></p>`) {
		t.Fatal("the phone's own card is not shown in its group")
	}
	for path, want := range map[string][]string{
		"/app/contacts?group=berlin-go": {"Jane Doe", "Phil Phonemade"},
		"/app/contacts?group=speakers":  {"Jane Doe"},
		"/app/contacts?group=nope":      nil,
	} {
		_, page := b.get(path)
		for _, name := range []string{"Jane Doe", "Phil Phonemade", "Nora Notin"} {
			listed := strings.Contains(page, ">"+name+"</a></td>")
			wanted := strings.Contains(strings.Join(want, ","), name)
			if listed != wanted {
				t.Errorf("%s: %s listed %v, want %v", path, name, listed, wanted)
			}
		}
	}
	b.get("/app/contacts")
	mustContain(t, b.last, `<option value="berlin-go">Berlin Go</option>`, `<option value="speakers">Speakers</option>`)
	if strings.Contains(b.last, "Eve&#39;s group") {
		t.Fatal("another user's group offered")
	}
}
