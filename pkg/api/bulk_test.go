package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestOneWriteInBulkAtATime: an account runs one write in bulk at a time —
// a contacts import, an undo, a guest list, a restore. Sixteen 10 MiB
// imports sent at once by one user each took a turn of the store's single
// writer in every round, sixteen turns to another user's one: that user's
// writes waited 98 ms at the median (2 ms beside one import). While one
// runs, the others are a 409 saying what runs, and read nothing of their
// upload; other users import meanwhile; once it ends, the next is taken.
func TestOneWriteInBulkAtATime(t *testing.T) {
	s := MustServe(t, openSignup)
	_, ada := s.MustSignup(t, "ada@example.com")
	_, bo := s.MustSignup(t, "bo@example.com")
	csv := func(who string, n int) string {
		var b strings.Builder
		b.WriteString("name,email\n")
		for i := range n {
			fmt.Fprintf(&b, "%s %d,%s%d@example.org\n", who, i, who, i)
		}
		return b.String()
	}
	r := s.Do(t, "POST", "/v1/contacts/import", ada, csv("earlier", 3), "Content-Type", "text/csv")
	MustStatus(t, r, 200)
	earlier := r.JSON(t)["import_id"].(string)
	ev := s.MustCreateEvent(t, ada, nil)

	// Ada's import, its file still being sent.
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", s.URL+"/v1/contacts/import", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ada)
	req.Header.Set("Content-Type", "text/csv")
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			resp = nil
		}
		first <- resp
	}()
	if _, err := io.WriteString(pw, csv("first", 1500)); err != nil {
		t.Fatal(err)
	}
	running := func() bool {
		for _, it := range items(t, s.Do(t, "GET", "/v1/imports", ada, nil)) {
			if it["id"] != earlier && it["state"] == "running" {
				return true
			}
		}
		return false
	}
	until(t, "the first import to start", running)

	for _, try := range []struct{ name, method, path, contentType, body string }{
		{"ContactsImport", "POST", "/v1/contacts/import", "text/csv", csv("second", 3)},
		{"Undo", "DELETE", "/v1/imports/" + earlier, "", ""},
		{"GuestList", "POST", "/v1/events/" + ev + "/attendees/import", "text/csv", "name,email\nGuest,guest@example.org\n"},
		{"Restore", "POST", "/v1/import", "application/json", `{"format":"rapport-backup","version":1}`},
	} {
		var body any
		if try.body != "" {
			body = try.body
		}
		r := s.Do(t, try.method, try.path, ada, body, "Content-Type", try.contentType)
		p := MustProblem(t, r, http.StatusConflict)
		if d, _ := p["detail"].(string); !strings.Contains(d, "contacts are being imported into this account already") {
			t.Fatalf("%s while an import runs: %s", try.name, r.Body)
		}
	}
	// Another user's import is not held up.
	if r := s.Do(t, "POST", "/v1/contacts/import", bo, csv("bo", 3), "Content-Type", "text/csv"); r.Status != 200 || r.JSON(t)["created"] != 3.0 {
		t.Fatalf("another user's import meanwhile: %d %s", r.Status, r.Body)
	}

	if _, err := io.WriteString(pw, csv("rest", 10)[len("name,email\n"):]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	resp := <-first
	if resp == nil {
		t.FailNow()
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(out), `"created":1510`) {
		t.Fatalf("the first import: %d %s", resp.StatusCode, out)
	}
	if r := s.Do(t, "POST", "/v1/contacts/import", ada, csv("second", 3), "Content-Type", "text/csv"); r.Status != 200 || r.JSON(t)["created"] != 3.0 {
		t.Fatalf("the next import once the first ended: %d %s", r.Status, r.Body)
	}
	MustStatus(t, s.Do(t, "DELETE", "/v1/imports/"+earlier, ada, nil), 200)
}

// TestDownloadsTakeTurns: a user's downloads of the whole account — the
// backup, the vCard and CSV exports — run one at a time: one sent while
// another is being sent waits for it (sixteen backups of a big account at
// once had sixteen encoders on two cores, and everyone else waited), a
// 429 if the wait is long; another user's download is not held up; and
// a finished download gives its turn back.
func TestDownloadsTakeTurns(t *testing.T) {
	api.SetDownloadWait(t, 500*time.Millisecond)
	s := MustServe(t, openSignup)
	ada, adaTok := s.MustSignup(t, "ada@example.com")
	_, boTok := s.MustSignup(t, "bo@example.com")
	s.MustCreateContact(t, adaTok, map[string]any{"name": "Grace"})
	for _, path := range []string{"/v1/export", "/v1/contacts/export.vcf", "/v1/contacts/export.csv"} {
		t.Run(strings.TrimPrefix(path, "/v1/"), func(t *testing.T) {
			held, err := s.Downloads.Take(t.Context(), ada) // a download being sent
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(held) // should the test fail before it gives it back
			answered := make(chan *Response, 1)
			go func() { answered <- s.Do(t, "GET", path, adaTok, nil) }()
			until(t, "the download waiting its turn", func() bool { return s.Downloads.Waiting(ada) == 2 })
			MustStatus(t, s.Do(t, "GET", path, boTok, nil), 200)
			select {
			case r := <-answered:
				t.Fatalf("a download while another is sent: %d, at once", r.Status)
			case <-time.After(100 * time.Millisecond):
			}
			held()
			if r := <-answered; r.Status != 200 || !strings.Contains(string(r.Body), "Grace") {
				t.Fatalf("the download once the other ended: %d %s", r.Status, r.Body)
			}
			// The stream gives it back as it ends.
			until(t, "the turn given back", func() bool { return s.Downloads.Waiting(ada) == 0 })

			held, err = s.Downloads.Take(t.Context(), ada)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(held)
			r := s.Do(t, "GET", path, adaTok, nil)
			held()
			if p := MustProblem(t, r, http.StatusTooManyRequests); r.Header.Get("Retry-After") == "" || !strings.Contains(p["detail"].(string), "another download of this account") {
				t.Fatalf("a download that waited too long: %s, Retry-After %q", r.Body, r.Header.Get("Retry-After"))
			}
		})
	}
}

// until waits (at most 10 s) for cond, failing the test with what.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s", what)
		}
	}
}

// TestRequestsPerUser: a user's reads run a few at a time (two here; in
// the server four a core, at least eight), the others waiting their turn
// — a 429 if the wait is long — while the user's writes and another
// user's reads go on: one user sending 32 searches at once had every
// other user wait behind them for the cores.
func TestRequestsPerUser(t *testing.T) {
	api.SetRequestWait(t, 500*time.Millisecond)
	s := MustServe(t, openSignup, func(d *api.Deps, _ *web.Deps) { d.Requests = &ratelimit.Turns{Per: 2} })
	ada, adaTok := s.MustSignup(t, "ada@example.com")
	_, boTok := s.MustSignup(t, "bo@example.com")
	running := apptest.HoldTurns(t, s.Requests, ada) // two of ada's reads
	r := s.Do(t, "GET", "/v1/contacts", adaTok, nil)
	if p := MustProblem(t, r, http.StatusTooManyRequests); r.Header.Get("Retry-After") == "" || !strings.Contains(p["detail"].(string), "too many requests running at once") {
		t.Fatalf("a third read that waited too long: %s, Retry-After %q", r.Body, r.Header.Get("Retry-After"))
	}
	MustStatus(t, s.Do(t, "GET", "/v1/contacts", boTok, nil), 200)
	s.MustCreateContact(t, adaTok, map[string]any{"name": "Grace"})

	api.SetRequestWait(t, 10*time.Second)
	answered := make(chan int, 2)
	go func() { answered <- s.Do(t, "GET", "/v1/contacts", adaTok, nil).Status }()
	go func() { // an assistant's call: a POST, mostly a read
		answered <- s.Do(t, "POST", "/mcp", adaTok, map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
			"Accept", "application/json, text/event-stream").Status
	}()
	until(t, "a read and an assistant's call waiting their turn", func() bool { return s.Requests.Waiting(ada) == 4 })
	select {
	case st := <-answered:
		t.Fatalf("a read while two run: %d, at once", st)
	case <-time.After(100 * time.Millisecond):
	}
	// One turn given back: the two run in it, one after the other.
	running[0]()
	for range 2 {
		if st := <-answered; st != 200 {
			t.Fatalf("a read once a turn was given back: %d", st)
		}
	}
}
