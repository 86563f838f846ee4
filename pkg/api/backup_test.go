package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestBackupRoundTrip: export → import into an empty account → export gives
// the same document but for ids (mapped consistently) and the export time.
func TestBackupRoundTrip(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "a@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", a, map[string]any{"timezone": "Asia/Tokyo", "nudge_hour": 7, "agenda": map[string]any{"enabled": true}}), 200)
	ev := s.MustCreateEvent(t, a, map[string]any{"title": "Tokyo Gophers", "starts_at": "2026-11-20T10:00:00Z", "talks": []map[string]any{{"title": "Generics", "speaker": "Rob"}}, "tags": []string{"go"}})
	enc := s.MustCreate(t, a, "/v1/events/"+ev+"/encounters", map[string]any{"contact": map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}, "cadence_days": 45}, "moment": "after_talk", "topics": []string{"wasm"}})
	jane := enc["contact"].(map[string]any)["id"].(string)
	bob := s.MustCreateContact(t, a, map[string]any{"name": "Bob", "linkedin_url": "https://linkedin.com/in/bob"})
	s.MustCreate(t, a, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}, "event_id": ev, "context": "both like WASM"})
	s.MustCreate(t, a, "/v1/contacts/"+bob+"/interactions", map[string]any{"kind": "call", "notes": "catch-up"})
	s.MustCreate(t, a, "/v1/calendars", map[string]any{"url": "https://example.com/cal.ics", "name": "Example", "tags": []string{"x"}})
	// A company of its own and an opportunity with a next step that names
	// no contact (a follow-up only the opportunity holds).
	initech := s.MustCreate(t, a, "/v1/companies", map[string]any{"name": "Initech", "domain": "initech.example"})["id"].(string)
	s.MustCreate(t, a, "/v1/opportunities", map[string]any{"title": "Staff engineer", "company_id": initech, "source_event_id": ev,
		"next_step": "Send CV", "next_step_at": "2026-11-27T09:00:00Z"})
	// Why you go: the targets' ids are mapped to the restored contacts.
	s.MustCreate(t, a, "/v1/events", map[string]any{"title": "Tokyo Gophers II", "starts_at": "2026-12-20T10:00:00Z", "series": "Tokyo Gophers",
		"intentions": map[string]any{"meet": []string{"Bob again"}}, "targets": []map[string]any{{"contact_id": bob}, {"name": "Rob"}}})
	s.MustCreate(t, a, "/v1/events/"+ev+"/giving", map[string]any{"kind": "spoke", "notes": "Generics"})
	// One record of each kind (pkg/kinds).
	for _, k := range s.CRM.Kinds {
		s.MustCreate(t, a, "/v1/"+k.Name(), k.Example())
	}

	first := s.Do(t, "GET", "/v1/export", a, nil)
	MustStatus(t, first, 200)
	_, b := s.MustSignup(t, "b@example.com")
	r := s.upload(t, "/v1/import", b, "application/json", first.Body)
	MustStatus(t, r, 200)
	second := s.Do(t, "GET", "/v1/export", b, nil)
	MustStatus(t, second, 200)
	if x, y := canonicalBackup(t, first.Body), canonicalBackup(t, second.Body); x != y {
		t.Fatalf("backup round trip differs:\n%s\n%s", x, y)
	}
	// The restored account works: Bob's LinkedIn URL is taken, Jane's follow-ups are there.
	MustProblem(t, s.Do(t, "POST", "/v1/contacts", b, map[string]any{"name": "B2", "linkedin_url": "https://www.linkedin.com/in/bob/"}), 409)
	if n := len(items(t, s.Do(t, "GET", "/v1/followups?status=pending", b, nil))); n < 3 {
		t.Fatalf("%d pending follow-ups restored, want thank_you, check_in, stay_in_touch, intro_check", n)
	}
	t.Run("ErrNotEmpty", func(t *testing.T) {
		MustProblem(t, s.upload(t, "/v1/import", b, "application/json", first.Body), 409)
	})
	t.Run("FailedRestoreLeavesNothing", func(t *testing.T) {
		// The backup cut off inside a section: every section before it was
		// written, then the restore fails — and removes it all, so the whole
		// backup restores into the same account after.
		for _, section := range []string{"followups", "calendars"} {
			uid, c := s.MustSignup(t, "cut-"+section+"@example.com")
			cut := bytes.Index(first.Body, []byte(`"`+section+`":[`))
			if cut < 0 {
				t.Fatalf("no %s in the backup", section)
			}
			MustProblem(t, s.upload(t, "/v1/import", c, "application/json", first.Body[:cut+len(section)+len(`"":[{"id":`)]), 400)
			if held, err := backup.Held(t.Context(), s.CRM, uid); err != nil || len(held) != 0 {
				t.Errorf("a restore cut in %s left records of %v (%v)", section, held, err)
			}
			for _, path := range []string{"/v1/contacts", "/v1/events", "/v1/companies", "/v1/opportunities", "/v1/intros",
				"/v1/followups?status=pending", "/v1/followups?status=done", "/v1/followups?status=cancelled", "/v1/calendars"} {
				if left := items(t, s.Do(t, "GET", path, c, nil)); len(left) != 0 {
					t.Errorf("%s after a restore cut in %s: %v", path, section, left)
				}
			}
			MustStatus(t, s.upload(t, "/v1/import", c, "application/json", first.Body), 200)
			again := s.Do(t, "GET", "/v1/export", c, nil)
			if x, y := canonicalBackup(t, first.Body), canonicalBackup(t, again.Body); x != y {
				t.Fatalf("restored after a restore cut in %s, the backup differs:\n%s\n%s", section, x, y)
			}
		}
	})
	t.Run("FailedAtTheEnd", func(t *testing.T) {
		// Every batch written (the followed calendar too), then the last
		// step fails (waking the dispatcher): all of it goes again.
		uid, c := s.MustSignup(t, "end@example.com")
		u, err := s.Accounts.User(t.Context(), uid)
		if err != nil {
			t.Fatal(err)
		}
		// Waking fails once the calendars (the last section) are written.
		var last atomic.Bool
		es, fs := *s.CRM.Events, *s.CRM.Followups
		es.Store = calendarsNoted{Store: es.Store, written: &last}
		fs.Store = wakeFails{Store: fs.Store, after: &last}
		svc := *s.CRM
		svc.Events, svc.Followups = &es, &fs
		res, err := backup.Import(t.Context(), &svc, s.Accounts, s.Idempotency, u, bytes.NewReader(first.Body))
		if !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("a restore whose last step fails: %+v, %v", res, err)
		}
		if held, err := backup.Held(t.Context(), s.CRM, uid); err != nil || len(held) != 0 {
			t.Fatalf("a restore failed at its end left records of %v (%v)", held, err)
		}
		MustStatus(t, s.upload(t, "/v1/import", c, "application/json", first.Body), 200)
		if held, _ := backup.Held(t.Context(), s.CRM, uid); !slices.Contains(held, "calendars") || !slices.Contains(held, "opportunities") {
			t.Fatalf("the restore after it holds %v", held)
		}
	})
	t.Run("ErrNotABackup", func(t *testing.T) {
		_, c := s.MustSignup(t, "c@example.com")
		MustProblem(t, s.upload(t, "/v1/import", c, "application/json", []byte(`{"contacts":[]}`)), 422, "format")
		MustProblem(t, s.upload(t, "/v1/import", c, "application/json", []byte(`{"format":"rapport-backup","version":99}`)), 422, "version")
		MustProblem(t, s.upload(t, "/v1/import", c, "application/json", []byte(`{"format":"rapport-backup",`)), 400)
	})
}

// wakeFails is a real follow-ups store that cannot wake the dispatcher
// once after is set.
type wakeFails struct {
	followup.Store
	after *atomic.Bool
}

func (w wakeFails) Wake(ctx context.Context, userID string, at time.Time, nonce string) error {
	if w.after.Load() {
		return apperr.E(apperr.Unavailable, "the store went away")
	}
	return w.Store.Wake(ctx, userID, at, nonce)
}

// calendarsNoted is a real events store that sets written once it has
// restored followed calendars.
type calendarsNoted struct {
	events.Store
	written *atomic.Bool
}

func (c calendarsNoted) CalendarArchive() record.Archive[events.Calendar] {
	return notedArchive{Archive: c.Store.CalendarArchive(), written: c.written}
}

type notedArchive struct {
	record.Archive[events.Calendar]
	written *atomic.Bool
}

func (a notedArchive) Restore(ctx context.Context, cs []*events.Calendar) error {
	err := a.Archive.Restore(ctx, cs)
	a.written.Store(err == nil)
	return err
}

// canonicalBackup replaces every id by its order of first appearance and
// drops the export time.
func canonicalBackup(t *testing.T, body []byte) string {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("backup is not JSON: %v\n%s", err, body)
	}
	delete(doc, "exported_at")
	// A card's name and UID in an address book are the contact's id until
	// a phone or a restore gives it others: a restore keeps them.
	contacts, _ := doc["contacts"].([]any)
	for _, c := range contacts {
		c := c.(map[string]any)
		for _, k := range []string{"card_name", "card_uid"} {
			if c[k] == nil {
				c[k] = c["id"]
			}
		}
	}
	ids := map[string]string{}
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if s, ok := x[k].(string); ok && (k == "id" || strings.HasSuffix(k, "_id")) && s != "" {
					if ids[s] == "" {
						ids[s] = fmt.Sprint("ID", len(ids))
					}
					x[k] = ids[s]
					continue
				}
				if k == "contact_ids" {
					for i, c := range x[k].([]any) {
						if ids[c.(string)] == "" {
							ids[c.(string)] = fmt.Sprint("ID", len(ids))
						}
						x[k].([]any)[i] = ids[c.(string)]
					}
					continue
				}
				x[k] = walk(x[k])
			}
		case []any:
			for i := range x {
				x[i] = walk(x[i])
			}
		}
		return v
	}
	for _, sec := range []string{"contacts", "events", "encounters", "intros", "interactions", "followups", "calendars", "docs"} {
		// Sort each section by content without ids so the order of new ids does not matter.
		arr, _ := doc[sec].([]any)
		sort.Slice(arr, func(i, j int) bool { return stripIDs(arr[i]) < stripIDs(arr[j]) })
	}
	walk(doc)
	out, _ := json.MarshalIndent(doc, "", " ")
	return string(out)
}

func stripIDs(v any) string {
	m, _ := v.(map[string]any)
	c := map[string]any{}
	for k, x := range m {
		if k != "id" && !strings.HasSuffix(k, "_id") && k != "contact_ids" {
			c[k] = x
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// TestBackupRestoreChecksURLs: a followed calendar in a backup gets the same
// URL check as subscribing; a refused one is skipped and reported, the rest
// is restored.
func TestBackupRestoreChecksURLs(t *testing.T) {
	s := MustServe(t, openSignup, func(d *api.Deps, _ *web.Deps) { d.CRM.URLCheck = netguard.Guard{}.CheckURL })
	_, a := s.MustSignup(t, "a@example.com")
	backup := `{"format":"rapport-backup","version":1,
		"contacts":[{"id":"c1","name":"Jane","created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-01T10:00:00Z"}],
		"calendars":[{"id":"k1","url":"http://[64:ff9b::7f00:1]/cal.ics","name":"NAT64 loopback","created_at":"2026-11-01T10:00:00Z"},
		             {"id":"k2","url":"http://169.254.169.254/latest","name":"metadata","created_at":"2026-11-01T10:00:00Z"},
		             {"id":"k3","url":"https://93.184.216.34/cal.ics","name":"public","created_at":"2026-11-01T10:00:00Z"}]}`
	r := s.upload(t, "/v1/import", a, "application/json", []byte(backup))
	MustStatus(t, r, 200)
	var res struct {
		Restored map[string]int
		Skipped  []struct{ Section, ID, Message string }
	}
	r.Decode(t, &res)
	if len(res.Skipped) != 2 || res.Skipped[0].ID != "k1" || res.Skipped[1].ID != "k2" || res.Restored["contacts"] != 1 {
		t.Fatalf("restore=%+v, want k1 and k2 skipped, Jane restored", res)
	}
	cals := s.Do(t, "GET", "/v1/calendars", a, nil)
	MustStatus(t, cals, 200)
	if bytes.Contains(cals.Body, []byte("64:ff9b")) || bytes.Contains(cals.Body, []byte("169.254")) || !bytes.Contains(cals.Body, []byte("93.184.216.34")) {
		t.Fatalf("calendars after restore: %s", cals.Body)
	}
}

// TestBackupAfterDeletesRestores: an account's backup restores whole after
// what deleting and merging leave behind — an event deleted under its
// encounters, intro, giving and the opportunity it sourced; a contact
// merged into another; an encounter logged by mistake removed; a contact
// deleted under its intro and the opportunity they told you of: every
// record in it hangs on what the backup holds.
func TestBackupAfterDeletesRestores(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "a@example.com")
	mine := alicesRecords(t, s, a)
	jane, kim := mine["/v1/contacts/"], s.MustCreateContact(t, a, map[string]any{"name": "Kim Roe", "emails": []string{"kim@example.com"}})
	ev2 := s.MustCreateEvent(t, a, map[string]any{"title": "Gone", "starts_at": "2026-11-10T18:00:00Z"})
	met := s.MustCreate(t, a, "/v1/events/"+ev2+"/encounters", map[string]any{"contact": map[string]any{"name": "Lee", "emails": []string{"lee@example.com"}}, "moment": "after_talk"})
	lee := met["contact"].(map[string]any)["id"].(string)
	s.MustCreate(t, a, "/v1/intros", map[string]any{"contact_ids": []string{lee, jane}, "event_id": ev2})
	s.MustCreate(t, a, "/v1/intros", map[string]any{"contact_ids": []string{kim, jane}, "event_id": mine["/v1/events/"]})
	s.MustCreate(t, a, "/v1/events/"+ev2+"/giving", map[string]any{"kind": "spoke", "notes": "Generics"})
	s.MustCreate(t, a, "/v1/opportunities", map[string]any{"title": "Staff", "kind": "job", "source_event_id": ev2, "source_contact_id": lee})
	s.MustCreate(t, a, "/v1/contacts/"+kim+"/interactions", map[string]any{"kind": "helped", "notes": "a review"})
	MustStatus(t, s.Do(t, "DELETE", "/v1/events/"+ev2, a, nil), 204)
	MustStatus(t, s.Do(t, "POST", "/v1/contacts/"+jane+"/merge", a, map[string]any{"other_id": kim}), 200)
	MustStatus(t, s.Do(t, "DELETE", "/v1/encounters/"+mine["/v1/encounters/"], a, nil), 204)
	MustStatus(t, s.Do(t, "DELETE", "/v1/contacts/"+lee, a, nil), 204)

	backup := s.Do(t, "GET", "/v1/export", a, nil)
	MustStatus(t, backup, 200)
	var doc map[string]any
	if err := json.Unmarshal(backup.Body, &doc); err != nil {
		t.Fatal(err)
	}
	_, b := s.MustSignup(t, "b@example.com")
	r := s.upload(t, "/v1/import", b, "application/json", backup.Body)
	MustStatus(t, r, 200)
	restored, _ := r.JSON(t)["restored"].(map[string]any)
	for section, v := range doc {
		if records, ok := v.([]any); ok && len(records) > 0 && restored[section] != float64(len(records)) {
			t.Errorf("%s: %v restored of %d", section, restored[section], len(records))
		}
	}
	for _, section := range []string{"contacts", "events", "intros", "interactions", "opportunities", "followups", "attendees"} {
		if restored[section] == nil {
			t.Errorf("nothing of %s in the backup to restore: %v", section, restored)
		}
	}
}
