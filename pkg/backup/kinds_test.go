package backup_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/kinds"
)

// link is a kind for the test that names records of other sections.
type link struct {
	kinds.Meta
	ContactID string   `json:"contact_id"`
	Others    []string `json:"others"`
	Note      string   `json:"note"`
}

var links = kinds.Kind[link, *link]{Name: "links", What: "link", Title: "Links", Example: `{"contact_id": "x"}`, Check: func(l *link) error {
	var c input.Checker
	l.Note = c.Text("note", l.Note, 40)
	return c.Err()
}}

// withDocs is checkedBackup with records of kinds: a link naming a
// contact, an event and a record the backup does not hold, another, and
// a record of a kind this server does not keep.
var withDocs = strings.TrimSuffix(checkedBackup, "}") + `,
"docs":[{"kind":"links","id":"d1","record":{"id":"d1","created_at":"2026-11-02T10:00:00.5Z","updated_at":"2026-11-03T10:00:00Z",
		"contact_id":"c1","others":["e1","c9","c2 and e1"],"note":"c1"}},
	{"kind":"links","id":"d2","record":{"id":"d2","created_at":"2026-11-04T10:00:00Z","note":" SICP "}},
	{"kind":"from_later","id":"d3","record":{"id":"d3"}},
	{"kind":"` + strings.Repeat("x", 5000) + `\u0000\n","id":"d4","record":{}}]}`

// TestRestoreKinds: the records of every kind (pkg/kinds) are backed up
// and restored, with new ids, and each string that named a record the
// backup held before names its restored record; a record of a kind the
// server does not keep is skipped and said so; one that breaks its kind's
// rules is refused, and the restore leaves nothing.
func TestRestoreKinds(t *testing.T) {
	sv := apptest.Services(enginetest.Open(t), time.Now)
	sv.CRM.Kinds = append(sv.CRM.Kinds, links.Any())
	ctx := t.Context()

	u := signUp(t, sv, "kinds@example.com", "U")
	res, err := backup.Import(ctx, sv.CRM, sv.Accounts, sv.Idempotency, u, strings.NewReader(withDocs))
	if err != nil {
		t.Fatal(err)
	}
	if res.Restored["docs"] != 2 || len(res.Skipped) != 2 || res.Skipped[0].ID != "d3" || !strings.Contains(res.Skipped[0].Message, "from_later") ||
		len(res.Skipped[1].Message) > 100 || strings.ContainsAny(res.Skipped[1].Message, "\x00\n") {
		t.Fatalf("restored %v, skipped %+v", res.Restored, res.Skipped)
	}
	l := restoredLink(t, sv, u.ID)

	t.Run("BackedUpAgain", func(t *testing.T) {
		var out bytes.Buffer
		if err := backup.Export(ctx, sv.CRM, u, &out); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"docs":[`, `"kind":"links","id":"` + l.ID + `","record":{"id":"` + l.ID + `"`, `"note":"SICP"`} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("the backup has no %s: %s", want, out.String())
			}
		}
	})
	t.Run("ErrBreaksItsRules", func(t *testing.T) {
		for i, broken := range []string{`"note":"c1"`, `"note":" SICP "`, `"created_at":"2026-11-04T10:00:00Z"`} {
			with := map[int]string{0: `"note":"` + strings.Repeat("n", 41) + `"`, 1: `"note":" SICP ","colour":"red"`, 2: `"created_at":"soon"`}[i]
			v := signUp(t, sv, "broken"+string(rune('a'+i))+"@example.com", "U")
			_, err := backup.Import(ctx, sv.CRM, sv.Accounts, sv.Idempotency, v, strings.NewReader(strings.Replace(withDocs, broken, with, 1)))
			if f := apperr.FieldsOf(err); !apperr.Is(err, apperr.Invalid) || len(f) != 1 || f[0].Field != "docs" {
				t.Fatalf("%s: %v, want invalid docs", with, err)
			}
			if held, err := backup.Held(ctx, sv.CRM, v.ID); err != nil || len(held) != 0 {
				t.Fatalf("after the refused restore the user holds %v (%v)", held, err)
			}
		}
	})
}

// restoredLink checks the link d1 of withDocs as restored for the user:
// a new id, its times kept, and each id it held of a record read before
// it (the contact, the event) now that record's new id.
func restoredLink(t *testing.T, sv *app.Services, userID string) link {
	t.Helper()
	ctx := t.Context()
	page, err := links.List(ctx, sv.CRM.Docs, userID, 10, nil)
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("links: %+v, %v", page, err)
	}
	l := page.Items[0]
	if l.Note == "SICP" {
		l = page.Items[1]
	}
	jane, err := sv.CRM.Contacts.Store.ContactsByID(ctx, userID, []string{l.ContactID})
	if err != nil || len(jane) != 1 || jane[l.ContactID].Name != "Jane" {
		t.Fatalf("the link names %q, not the restored Jane (%v)", l.ContactID, err)
	}
	evs, _ := sv.CRM.Events.Store.Events(ctx, userID, events.Filter{Limit: 10})
	if l.ID == "d1" || len(l.ID) != 36 || l.Others[0] != evs.Items[0].ID || l.Others[1] != "c9" || l.Others[2] != "c2 and e1" || l.Note != l.ContactID {
		t.Fatalf("restored link %+v", l)
	}
	if want := time.Date(2026, 11, 2, 10, 0, 0, 5e8, time.UTC); !l.CreatedAt.Equal(want) {
		t.Fatalf("created_at %v, want %v kept", l.CreatedAt, want)
	}

	return l
}
