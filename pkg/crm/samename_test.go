package crm_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestSameNamed finds the contacts a name alone cannot tell from someone
// new: those of that very name (case, accents and spacing aside), the
// user's only, and none when an email or a LinkedIn URL (typed, or the
// guest list's) says who it is.
func TestSameNamed(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		mk := func(u *accounts.User, in contacts.Input) string {
			t.Helper()
			c, err := e.crm.CreateContact(ctx, u, in)
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		acme := mk(e.user, contacts.Input{Name: "Jane Doe", Company: "Acme"})
		globex := mk(e.user, contacts.Input{Name: "jane doé", Company: "Globex"})
		mk(e.user, contacts.Input{Name: "Jane Doering"})
		mk(e.user, contacts.Input{Name: "Aaron Apple", Notes: "Jane Doe's colleague"})
		mk(e.user, contacts.Input{Name: "Janet Doe"})
		other, _, err := e.acc.Signup(ctx, accounts.SignupInput{Email: "eve@example.com", Name: "Eve", Timezone: "UTC"}, true)
		if err != nil {
			t.Fatal(err)
		}
		mk(other, contacts.Input{Name: "Jane Doe"})
		guest := events.Attendee{ID: record.NewID(), Name: "Sam Roe", Email: "sam@example.com", Status: events.AttendeeGoing, CreatedAt: now, UpdatedAt: now}
		guest.Key = events.AttendeeKey(&guest, contacts.NormalizeLinkedIn)
		if _, _, err := e.crm.Attendees.UpsertAttendees(ctx, e.user.ID, e.ev.ID, []events.Attendee{guest}); err != nil {
			t.Fatal(err)
		}
		mk(e.user, contacts.Input{Name: "Sam Roe"})
		for _, c := range []struct {
			name    string
			eventID string
			who     contacts.Input
			want    []string
		}{
			{"ByNameAlone", e.ev.ID, contacts.Input{Name: "JANE DOE"}, []string{acme, globex}},
			{"AtANewEvent", "", contacts.Input{Name: " jane   doe "}, []string{acme, globex}},
			{"NobodyOfThatName", e.ev.ID, contacts.Input{Name: "Jane"}, nil},
			{"AnEmailSaysWho", e.ev.ID, contacts.Input{Name: "Jane Doe", Emails: []string{"jane@example.com"}}, nil},
			{"ALinkedInURLSaysWho", e.ev.ID, contacts.Input{Name: "Jane Doe", LinkedInURL: "https://www.linkedin.com/in/janedoe"}, nil},
			{"TheGuestListsEmailSaysWho", e.ev.ID, contacts.Input{Name: "sam roe"}, nil},
			{"WithoutTheGuestList", "", contacts.Input{Name: "sam roe"}, []string{"Sam Roe"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				same, err := e.crm.SameNamed(ctx, e.user.ID, c.eventID, c.who, 5)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ct := range same {
					if ct.Name == "Sam Roe" {
						got = append(got, ct.Name)
						continue
					}
					got = append(got, ct.ID)
				}
				slices.Sort(got)
				want := slices.Clone(c.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			})
		}
	})
}

// TestSameNamedSpelledOtherwise: a name typed without its accents finds the
// contact written with them, and the other way, however many names sort
// between the two spellings (José sorts after every "Jos…" in plain
// letters, Jose before José); a contact whose notes only mention the name
// is not one of them.
func TestSameNamedSpelledOtherwise(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		mk := func(in contacts.Input) string {
			t.Helper()
			c, err := e.crm.CreateContact(ctx, e.user, in)
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		jose := mk(contacts.Input{Name: "José García", Company: "Acme"})
		zoe := mk(contacts.Input{Name: "Zoe Ng"})
		for i := range 8 {
			mk(contacts.Input{Name: fmt.Sprintf("Josh Smith %d", i)}) // between "jose garcia" and "josé garcía"
		}
		mk(contacts.Input{Name: "Aaron Apple", Notes: "José García's colleague"})
		for _, c := range []struct {
			name, typed string
			want        []string
		}{
			{"WithoutTheAccents", "Jose Garcia", []string{jose}},
			{"WithAccentsItHasNot", "Zoë Ng", []string{zoe}},
			{"AsWritten", "José García", []string{jose}},
			{"NobodyOfThatName", "Jose", nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				same, err := e.crm.SameNamed(ctx, e.user.ID, "", contacts.Input{Name: c.typed}, 5)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ct := range same {
					got = append(got, ct.ID)
				}
				if !slices.Equal(got, c.want) {
					t.Errorf("%q: got %v, want %v", c.typed, got, c.want)
				}
			})
		}
	})
}
