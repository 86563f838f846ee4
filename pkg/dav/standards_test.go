package dav_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
)

// TestPutETagOnlyWhenStoredAsSent: a PUT whose stored form differs from
// what was sent (a card without the generated section, a task whose
// SUMMARY edit is ignored) answers without an ETag, so the client reads
// it again (RFC 6352 §6.3.2.3, RFC 4791 §5.3.4); a card sent back exactly
// as served keeps its ETag.
func TestPutETagOnlyWhenStoredAsSent(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	path := dav.BookPath + c.ID + ".vcf"
	r := s.do(t, u, "GET", path, "")
	served, etag := body(t, r), r.Header.Get("ETag")

	r = s.do(t, u, "PUT", path, served, "Content-Type", "text/vcard", "If-Match", etag)
	if r.StatusCode/100 != 2 || r.Header.Get("ETag") != etag {
		t.Fatalf("PUT of the card as served: %d, ETag %q, want %q", r.StatusCode, r.Header.Get("ETag"), etag)
	}

	i := strings.Index(served, "NOTE:")
	j := strings.Index(served[i:], "\r\n")
	for j+i+2 < len(served) && served[i+j+2] == ' ' { // a folded NOTE goes on
		j += 2 + strings.Index(served[i+j+2:], "\r\n")
	}
	edited := served[:i] + "NOTE:Likes punch cards.\\nCall after 10." + served[i+j:]
	edited = strings.Replace(edited, "TITLE:", "TITLE:x", 1)
	edited = strings.Replace(edited, "FN:", "TITLE:Countess\r\nFN:", 1)
	r = s.do(t, u, "PUT", path, edited, "Content-Type", "text/vcard", "If-Match", etag)
	if r.StatusCode/100 != 2 {
		t.Fatalf("PUT: %d %s", r.StatusCode, body(t, r))
	}
	if got := r.Header.Get("ETag"); got != "" {
		t.Fatalf("PUT of a card stored otherwise answered ETag %s", got)
	}
	if got, _ := s.crm.Contacts.Get(t.Context(), u.ID, c.ID); got.Title != "Countess" || got.Notes != "Likes punch cards.\nCall after 10." {
		t.Fatalf("stored title %q notes %q", got.Title, got.Notes)
	}

	// A task whose SUMMARY the client changed: ignored, so no ETag.
	f := s.pending(t, u)[0]
	tpath := dav.TaskListPath + f.ID + ".ics"
	r = s.do(t, u, "GET", tpath, "")
	task, tag := body(t, r), r.Header.Get("ETag")
	task = strings.Replace(task, "SUMMARY:", "SUMMARY:Renamed ", 1)
	r = s.do(t, u, "PUT", tpath, task, "Content-Type", "text/calendar", "If-Match", tag)
	if r.StatusCode/100 != 2 {
		t.Fatalf("PUT task: %d %s", r.StatusCode, body(t, r))
	}
	if got := r.Header.Get("ETag"); got != "" {
		t.Fatalf("PUT of a task stored otherwise answered ETag %s", got)
	}
}

// TestRevFollowsTheCard: logging another encounter rewrites the card's
// NOTE, and its REV, ETag and Last-Modified move with it.
func TestRevFollowsTheCard(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	c := s.ada(t, u)
	path := dav.BookPath + c.ID + ".vcf"
	rev := func() (string, string) {
		r := s.do(t, u, "GET", path, "")
		for _, l := range strings.Split(body(t, r), "\r\n") {
			if v, ok := strings.CutPrefix(l, "REV:"); ok {
				return v, r.Header.Get("ETag")
			}
		}
		t.Fatal("no REV")
		return "", ""
	}
	rev1, etag1 := rev()
	ev := s.eventOf(t, u)
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) // REV counts seconds
	if _, err := s.crm.LogEncounter(t.Context(), u.User, ev, contacts.EncounterInput{ContactID: c.ID, Moment: "before_talk", Notes: "again"}); err != nil {
		t.Fatal(err)
	}
	rev2, etag2 := rev()
	if rev2 == rev1 || etag2 == etag1 {
		t.Fatalf("after an encounter REV %s → %s, ETag %s → %s", rev1, rev2, etag1, etag2)
	}
}

// TestTaskSaysWhereYouMet: a reminder's DESCRIPTION names the event where
// the encounter was, and its day (PRODUCT.md §6).
func TestTaskSaysWhereYouMet(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	f := s.pending(t, u)[0]
	r := s.do(t, u, "GET", dav.TaskListPath+f.ID+".ics", "")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET task: %d", r.StatusCode)
	}
	unfolded := strings.ReplaceAll(body(t, r), "\r\n ", "")
	if !strings.Contains(unfolded, "DESCRIPTION:Met at Go Meetup Berlin on Tue 24 Nov 2026") {
		t.Fatalf("task:\n%s", unfolded)
	}
}
