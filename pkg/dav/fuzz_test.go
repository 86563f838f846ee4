package dav_test

import (
	"bytes"
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-vcard"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/dav"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/schedule"
	"github.com/rapport-crm/rapport/pkg/sqlite"
)

// fuzzTarget is the DAV handler on a real SQLite store with one user, a
// contact and its follow-ups, for PUTs of arbitrary bodies; restorable
// fails t unless every contact and follow-up the user holds is one a
// restore takes (the checks pkg/backup holds each record to).
func fuzzTarget(f *testing.F) (h http.Handler, email, token, cardPath, taskPath string, restorable func(t *testing.T)) {
	keepCrashes()
	db, err := sqlite.Open(f.Context(), f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	acc := accounts.New(&sqlite.Accounts{DB: db}, schedule.Parse)
	svc := crm.New(sqlite.Stores(db), time.Now)
	u, tok, err := acc.Signup(f.Context(), accounts.SignupInput{Email: "me@example.com", Name: "Me"}, true)
	if err != nil {
		f.Fatal(err)
	}
	ev, err := svc.Events.Create(f.Context(), u.ID, "UTC", events.Input{Title: "Meetup", StartsAt: "2026-11-24T18:00:00Z"})
	if err != nil {
		f.Fatal(err)
	}
	res, err := svc.LogEncounter(f.Context(), u, ev.ID, contacts.EncounterInput{Contact: &contacts.Input{Name: "Ada"}, Moment: "after_talk"})
	if err != nil || len(res.Followups) == 0 {
		f.Fatalf("seed: %v", err)
	}
	h = dav.New(dav.Deps{Accounts: acc, CRM: svc, Logger: slog.New(slog.DiscardHandler)})
	restorable = func(t *testing.T) {
		err := svc.Contacts.Store.ContactArchive().Each(t.Context(), u.ID, func(c *contacts.Contact) error {
			return cmp.Or(c.Validate(), contacts.CheckCardExtra(c.CardExtra))
		})
		if err == nil {
			err = svc.Followups.Store.FollowUpArchive().Each(t.Context(), u.ID, func(f *followup.FollowUp) error { return f.Validate() })
		}
		if err != nil {
			t.Fatalf("a record stored is one a restore refuses: %v", err)
		}
	}
	return h, u.Email, tok.Token, dav.BookPath + res.Contact.ID + ".vcf", dav.TaskListPath + res.Followups[0].ID + ".ics", restorable
}

// keepCrashes writes a crash of this process — a fatal error, or a panic
// off the test's goroutine (the store's background work) — to a file in
// $RAPPORT_CRASH_DIR when it is set (.ci/run sets it and prints what is
// there when a fuzz run fails). Go's fuzzing discards what its worker
// processes print, so a worker that died says only "EOF".
func keepCrashes() {
	dir := os.Getenv("RAPPORT_CRASH_DIR")
	if dir == "" {
		return
	}
	out, err := os.Create(filepath.Join(dir, fmt.Sprintf("crash-%d.txt", os.Getpid())))
	if err != nil {
		return
	}
	defer out.Close() // SetCrashOutput keeps a duplicate
	_ = debug.SetCrashOutput(out, debug.CrashOptions{})
}

func fuzzPut(f *testing.F, contentType string, pick func(card, task string) []string, seeds ...string) {
	h, email, token, card, task, restorable := fuzzTarget(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range pick(card, task) {
			req := httptest.NewRequest("PUT", path, strings.NewReader(body))
			req.SetBasicAuth(email, token)
			req.Header.Set("Content-Type", contentType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("PUT %s answered %d: %s", path, rec.Code, rec.Body)
			}
			if rec.Code < 300 {
				servedBack(t, h, email, token, path, contentType)
			}
		}
		restorable(t)
	})
}

// servedBack fails t unless path, just stored, is served as UTF-8 that
// reads as a card or a calendar again: what one client sent, whatever its
// bytes, every other client syncing the account reads. (A new card with
// the email of a contact the account has is that contact's, not path's.)
func servedBack(t *testing.T, h http.Handler, email, token, path, contentType string) {
	req := httptest.NewRequest("GET", path, nil)
	req.SetBasicAuth(email, token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusNotFound && strings.HasSuffix(path, "fuzz-new.vcf") {
		return
	}
	out := rec.Body.Bytes()
	if rec.Code != 200 || !utf8.Valid(out) {
		t.Fatalf("GET %s after its PUT: %d, UTF-8 %v: %q", path, rec.Code, utf8.Valid(out), out)
	}
	var err error
	if contentType == "text/vcard" {
		_, err = vcard.NewDecoder(bytes.NewReader(out)).Decode()
	} else {
		_, err = ical.NewDecoder(bytes.NewReader(out)).Decode()
	}
	if err != nil {
		t.Fatalf("GET %s after its PUT does not read: %v\n%q", path, err, out)
	}
}

// FuzzPutCard: any body PUT as a card (over an existing contact and as a
// new one) is a 2xx or a 4xx, never a 500; what it stores a restore
// takes back, and the card is served as UTF-8 that reads again.
func FuzzPutCard(f *testing.F) {
	fuzzPut(f, "text/vcard", func(card, _ string) []string { return []string{card, dav.BookPath + "fuzz-new.vcf"} },
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.com\r\nTEL:+1 555\r\nCATEGORIES:go,rust\r\nNOTE:hi\\n-- How we met\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nVERSION:4.0\r\nN:Hopper;Grace;;;\r\nURL:linkedin.com/in/grace\r\nX-RAPPORT-CADENCE-DAYS:30\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\r\nFN;broken\r\n", "", "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:not-an-email\r\nFN:x\r\nEND:VCARD\r\n",
		// Bytes that are not UTF-8, kept in the card's extra: folding them
		// took the process's memory (a 2.9 KB card found by fuzzing).
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nX-JUNK:"+strings.Repeat("\xa5", 200)+"\r\nEND:VCARD\r\n",
		// Kept in the extra, and served back to every client as UTF-8.
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Hopper;Gr\xffce;;;\r\nURL:linked\x7f\xff.com/in/ada\r\nX-\xb1:x\r\nit\xe9m1.BDAY:1815\r\nADR;TYPE=h\xe9me:;;Str\x01eet;;;;\r\nEND:VCARD\r\n")
}

// FuzzPutTask: any body PUT as a task is a 2xx or a 4xx, never a 500; what
// it stores a restore takes back, and the task is served as UTF-8 that
// reads again.
func FuzzPutTask(f *testing.F) {
	fuzzPut(f, "text/calendar", func(_, task string) []string { return []string{task} },
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:x\r\nDTSTAMP:20261124T180000Z\r\nDUE:20261130T090000Z\r\nSTATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VTODO\r\nUID:x\r\nDTSTAMP:20261124T180000Z\r\nDUE;VALUE=DATE:20261130\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
		"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "garbage")
}
