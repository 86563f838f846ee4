package crm_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
)

// importAndUndo imports one row of kind into e's user — a merge into the
// contact id — runs between, undoes the import and returns the contact as
// it is then.
func importAndUndo(t *testing.T, e *env, kind string, row contacts.Row, id string, between func()) *contacts.Contact {
	t.Helper()
	ctx := t.Context()
	res, err := e.crm.Contacts.Import(ctx, e.user.ID, kind, func(fn func(contacts.Row) error) error { return fn(row) })
	if err != nil || res.Updated != 1 || res.ImportID == "" {
		t.Fatalf("import: %+v, %v", res, err)
	}
	between()
	if _, err := e.crm.UndoImport(ctx, e.user.ID, res.ImportID); err != nil {
		t.Fatal(err)
	}
	got, err := e.crm.Contacts.Store.Contact(ctx, e.user.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestUndoImportKeepsTheCard: an import that merged into a contact made
// on a phone, undone, gives the contact back its fields and keeps what
// only its card holds — its name in the address book, its UID and the
// rest of the card (a birthday). The undo wrote back the snapshot taken
// before the import, which on SQLite (JSON) had none of them: the card
// moved to another href and lost its birthday.
func TestUndoImportKeepsTheCard(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		const extra = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
		c, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}},
			contacts.CreateOpts{DAVName: "ada-phone", CardUID: "ada-uid", CardExtra: extra})
		if err != nil {
			t.Fatal(err)
		}
		got := importAndUndo(t, e, "csv", contacts.Row{Line: 2, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Title: "Countess"}},
			c.ID, func() {})
		if got.Title != "" || got.DAVName != "ada-phone" || got.CardUID != "ada-uid" || got.CardExtra != extra {
			t.Fatalf("after the undo: %+v", got)
		}
		if byName, err := e.crm.Contacts.Store.ContactByKey(ctx, e.user.ID, "dav:ada-phone"); err != nil || byName.ID != c.ID {
			t.Fatalf("the card's name after the undo: %v, %v", byName, err)
		}
	})
}

// TestUndoImportKeepsWhatWasLoggedSince: an import merged into a contact
// (a title, and LinkedIn's date of the connection), then a call with them
// was logged; undone, the contact loses the title and that date but keeps
// the call as its last contact. The undo wrote back the snapshot from
// before the import, last contact and all: never contacted.
func TestUndoImportKeepsWhatWasLoggedSince(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		ada, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{})
		if err != nil {
			t.Fatal(err)
		}
		var call *contacts.Interaction
		row := contacts.Row{Line: 2, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Title: "Countess", KnownSince: "2020-01-01"}}
		got := importAndUndo(t, e, "csv", row, ada.ID, func() {
			if call, err = e.crm.LogInteraction(ctx, e.user, ada.ID, contacts.InteractionInput{Kind: "call"}); err != nil {
				t.Fatal(err)
			}
		})
		if got.Title != "" || !got.KnownSince.Equal(ada.KnownSince) {
			t.Fatalf("after the undo: title %q, known since %v; want none, and %v", got.Title, got.KnownSince, ada.KnownSince)
		}
		if got.LastContactedAt == nil || !got.LastContactedAt.Equal(call.At) {
			t.Fatalf("after the undo: last contact %v, want the call's %v", got.LastContactedAt, call.At)
		}
	})
}

// TestUndoImportKeepsWhatWasChangedSince: an import merged into a
// contact (an email, a tag, a title and LinkedIn's date of the
// connection); then the user wrote a note, added a tag and changed the
// title, and logged a meeting from before that date. Undone, the contact
// loses the import's email, tag and date, and keeps the note, the tag,
// the title and the date of the meeting. The undo wrote back the contact
// as it was before the import: all of it was lost.
func TestUndoImportKeepsWhatWasChangedSince(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		ada, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Tags: []string{"math"}}, contacts.CreateOpts{})
		if err != nil {
			t.Fatal(err)
		}
		row := contacts.Row{Line: 2, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com", "ada@engine.org"},
			Tags: []string{"engines"}, Title: "Countess", KnownSince: "2020-01-01"}}
		var met *crm.EncounterResult
		got := importAndUndo(t, e, "csv", row, ada.ID, func() {
			patch := `{"notes": "Wrote the first program.", "tags": ["math", "engines", "poetry"], "title": "Analyst"}`
			if _, err := e.crm.UpdateContact(ctx, e.user, ada.ID, []byte(patch)); err != nil {
				t.Fatal(err)
			}
			if met, err = e.crm.LogEncounter(ctx, e.user, e.ev.ID, contacts.EncounterInput{ContactID: ada.ID, Moment: "after_talk", MetAt: "2019-06-01T18:00:00Z"}); err != nil {
				t.Fatal(err)
			}
		})
		if got, want := strings.Join(got.Emails, ","), "ada@example.com"; got != want {
			t.Errorf("emails %q, want %q", got, want)
		}
		if got, want := strings.Join(got.Tags, ","), "math,poetry"; got != want {
			t.Errorf("tags %q, want %q", got, want)
		}
		if got.Notes != "Wrote the first program." || got.Title != "Analyst" {
			t.Errorf("notes %q, title %q: want what was written since", got.Notes, got.Title)
		}
		if !got.KnownSince.Equal(met.Encounter.MetAt) {
			t.Errorf("known since %v, want the meeting's %v", got.KnownSince, met.Encounter.MetAt)
		}
	})
}

// TestImportMergesTogether: an import's merges commit a few rows at a
// time; one refused among them (its row names another contact's LinkedIn
// profile) is reported on its line and changes nothing, and the rows
// around it merge.
func TestImportMergesTogether(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		mk := func(in contacts.Input) *contacts.Contact {
			c, err := e.crm.CreateContactWith(ctx, e.user, in, contacts.CreateOpts{})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		ada := mk(contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}})
		bob := mk(contacts.Input{Name: "Bob Smith", LinkedInURL: "https://www.linkedin.com/in/bobsmith"})
		grace := mk(contacts.Input{Name: "Grace Hopper", Emails: []string{"grace@example.com"}})
		rows := []contacts.Row{
			{Line: 2, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, Title: "Countess"}},
			{Line: 3, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}, LinkedInURL: "https://www.linkedin.com/in/bobsmith", Notes: "x"}},
			{Line: 4, Input: contacts.Input{Name: "Grace Hopper", Emails: []string{"grace@example.com"}, Title: "Rear Admiral"}},
		}
		res, err := e.crm.Contacts.Import(ctx, e.user.ID, "csv", func(fn func(contacts.Row) error) error {
			for _, r := range rows {
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Updated != 2 || len(res.Errors) != 1 || res.Errors[0].Line != 3 {
			t.Fatalf("import %+v: want lines 2 and 4 merged, line 3 refused", res)
		}
		for _, want := range []struct {
			id, title, linkedIn, notes string
		}{{ada.ID, "Countess", "", ""}, {bob.ID, "", "https://www.linkedin.com/in/bobsmith", ""}, {grace.ID, "Rear Admiral", "", ""}} {
			got, err := e.crm.Contacts.Store.Contact(ctx, e.user.ID, want.id)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != want.title || got.LinkedInURL != want.linkedIn || got.Notes != want.notes {
				t.Errorf("%s: title %q, LinkedIn %q, notes %q; want %q, %q, %q", got.Name, got.Title, got.LinkedInURL, got.Notes, want.title, want.linkedIn, want.notes)
			}
		}
	})
}

// TestUndoImportOfAnOlderRecord: an import's record kept as records were
// before they kept what the import added (the contacts it merged into as
// they were before it, and the card extras it filled) is still undone:
// the contact gets its earlier fields back, its card its emptiness.
func TestUndoImportOfAnOlderRecord(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		const extra = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
		ada, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{})
		if err != nil {
			t.Fatal(err)
		}
		row := contacts.Row{Line: 1, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com", "ada@engine.org"},
			Title: "Countess", KnownSince: "2020-01-01"}, CardExtra: extra}
		got := importAndUndo(t, e, "vcard", row, ada.ID, func() {
			page, err := e.crm.Contacts.Store.Imports(ctx, e.user.ID, 1, nil)
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("imports: %v, %v", page, err)
			}
			im, err := e.crm.Contacts.Store.Import(ctx, e.user.ID, page.Items[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(im.Added) != 1 || len(im.Before) != 1 {
				t.Fatalf("the record: %d added, %d before", len(im.Added), len(im.Before))
			}
			im.ExtraFilled, im.Added = []contacts.ExtraFill{{ID: ada.ID, Sum: im.Added[0].ExtraSum}}, nil
			if err := e.crm.Contacts.Store.UpdateImport(ctx, im); err != nil {
				t.Fatal(err)
			}
		})
		if strings.Join(got.Emails, ",") != "ada@example.com" || got.Title != "" || !got.KnownSince.Equal(ada.KnownSince) || got.CardExtra != "" {
			t.Fatalf("after the undo: %+v", got)
		}
	})
}

// TestUndoImportEmptiesTheCardItFilled: an import whose card merged into
// a contact whose card held nothing else gave it the card's birthday;
// undone, the contact's card holds nothing else again — unless the phone
// has changed the card since, which stays. The undo left the import's
// birthday on the contact.
func TestUndoImportEmptiesTheCardItFilled(t *testing.T) {
	const (
		imported = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nEND:VCARD\r\n"
		phone    = "BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1815-12-10\r\nNICKNAME:Ada\r\nEND:VCARD\r\n"
	)
	for _, tc := range []struct {
		name             string
		phoneSince       bool
		wantAfterTheUndo string
	}{
		{"OK", false, ""},
		{"ChangedSinceOnThePhone", true, phone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engines(t, func(t *testing.T, e *env) {
				ctx := t.Context()
				ada, err := e.crm.CreateContactWith(ctx, e.user, contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{})
				if err != nil {
					t.Fatal(err)
				}
				row := contacts.Row{Line: 1, Input: contacts.Input{Name: "Ada Lovelace", Emails: []string{"ada@example.com"}}, CardExtra: imported}
				got := importAndUndo(t, e, "vcard", row, ada.ID, func() {
					if got, _ := e.crm.Contacts.Store.Contact(ctx, e.user.ID, ada.ID); got.CardExtra != imported {
						t.Fatalf("the import filled the card with %q", got.CardExtra)
					}
					if tc.phoneSince {
						if _, err := e.crm.UpdateContactCard(ctx, e.user, ada.ID, []byte(`{}`), phone); err != nil {
							t.Fatal(err)
						}
					}
				})
				if got.CardExtra != tc.wantAfterTheUndo {
					t.Fatalf("the card's extra after the undo: %q, want %q", got.CardExtra, tc.wantAfterTheUndo)
				}
			})
		})
	}
}
