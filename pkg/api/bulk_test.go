package api_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
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
	for deadline := time.Now().Add(10 * time.Second); !running(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first import never started")
		}
	}

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
