package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/web"
)

// uploadDrain is what the server reads of an upload past its limit before
// it answers (the API's maxDrain), and socketSlack what the two sockets
// hold besides, which the sender has written but no one has read.
const uploadDrain, socketSlack = 16 << 20, 16 << 20

// TestUploadsStopAtTheirLimit: an upload sent without a length (chunked),
// longer than its route allows, is refused with 413 once the server has
// read its limit (and a bounded drain), not after it has read, and held in
// memory, all of it: a 400 MB backup sent to POST /v1/import held the
// server at 1 GB before it answered.
func TestUploadsStopAtTheirLimit(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, nil)
	_, empty := s.MustSignup(t, "bo@example.com") // a backup is restored into an empty account
	for _, up := range []struct {
		name, token, path, contentType, prefix string
		limit                                  int
	}{
		{"ContactsImport", tok, "/v1/contacts/import", "text/csv", "name\n", api.MaxImportBody},
		{"GuestListImport", tok, "/v1/events/" + ev + "/attendees/import", "text/csv", "name\n", api.MaxGuestListBody},
		{"ScanImage", tok, "/v1/scan", "image/png", "", api.MaxScanImage},
		// Whitespace between tokens, which encoding/json's decoder scanned
		// again on every read: the limit was never reached, and the request
		// ended at the read deadline, 30 s of a core later, with a 400. (One
		// string as long is refused sooner, as a value over
		// backup.MaxValue: TestRestoreBoundsEachValue.)
		{"BackupPadded", empty, "/v1/import", "application/json", `{"format":"rapport-backup","contacts":`, api.MaxBackupBody},
	} {
		t.Run(up.name, func(t *testing.T) {
			// Far more than the server should read: it reads the limit,
			// drains, and answers while the rest is still being sent.
			offered := up.limit + uploadDrain + 64<<20
			status, sent := sendChunked(t, s.URL, up.path, up.token, up.contentType, up.prefix, offered)
			t.Logf("%d MiB sent when the answer came", sent>>20)
			if status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", status)
			}
			if most := up.limit + uploadDrain + socketSlack; sent > most {
				t.Fatalf("the server read %d MiB before it answered (limit %d MiB); at most %d MiB expected",
					sent>>20, up.limit>>20, most>>20)
			}
		})
	}
}

// sendChunked posts prefix followed by spaces, offered bytes in all, as a
// chunked body, reading the answer as it comes. It returns the answer's
// status and how much of the body had been sent when the answer came.
func sendChunked(tb testing.TB, baseURL, path, token, contentType, prefix string, offered int) (status, sent int) {
	tb.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(baseURL, "http://"))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Minute)) // a guard against hanging, not a measure
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n",
		path, token, contentType)
	type answer struct {
		status, sent int
		err          error
	}
	var written atomic.Int64
	answered := make(chan answer, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		n := int(written.Load())
		if err != nil {
			answered <- answer{err: err}
			return
		}
		res.Body.Close()
		answered <- answer{status: res.StatusCode, sent: n}
	}()
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	body := append([]byte(prefix), chunk[len(prefix):]...)
	total := 0
	for total < offered && len(answered) == 0 {
		if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(body), body); err != nil {
			break // the server answered and closed
		}
		total += len(body)
		written.Store(int64(total))
		body = chunk
	}
	if total >= offered {
		fmt.Fprint(conn, "0\r\n\r\n")
	}
	a := <-answered
	if a.err != nil {
		tb.Fatalf("%s: no answer: %v (%d MiB sent)", path, a.err, total>>20)
	}
	return a.status, a.sent
}

// TestChunkedUploadAnsweredAtOnce: an import sent without a length
// (chunked, as curl -T - or a client streaming a file sends it) is
// answered when it is done. Reading the body again after its last chunk
// waited for another until the server's 30 s read deadline, and the answer
// with it.
func TestChunkedUploadAnsweredAtOnce(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/contacts/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n", tok)
	pieces := []string{"name,email\n"}
	for i := range 200 {
		pieces = append(pieces, fmt.Sprintf("Person %d,p%d@example.org\n", i, i))
	}
	for _, p := range pieces {
		fmt.Fprintf(conn, "%x\r\n%s\r\n", len(p), p)
	}
	fmt.Fprint(conn, "0\r\n\r\n")
	// Well inside the read deadline the answer waited for.
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"created":200`) {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

// slowBody yields its pieces one by one, a pause before each.
type slowBody struct {
	pieces []string
	pause  time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.pieces) == 0 {
		return 0, io.EOF
	}
	time.Sleep(b.pause)
	n := copy(p, b.pieces[0])
	if n < len(b.pieces[0]) {
		b.pieces[0] = b.pieces[0][n:]
	} else {
		b.pieces = b.pieces[1:]
	}
	return n, nil
}

// TestSlowUploadKeepsReading: an import is read as it is written, at the
// pace of a writer other users share, so it may take longer than the
// server's read timeout (1 s here, 30 s in the server; sixteen 10 MiB
// imports at once ran out of it): it reads until its own deadline.
func TestSlowUploadKeepsReading(t *testing.T) {
	s := MustServe(t, openSignup, func(d *api.Deps, _ *web.Deps) { d.ReadTimeout = time.Second })
	_, tok := s.MustSignup(t, "ada@example.com")
	body := &slowBody{pieces: []string{"name,email\n"}, pause: 250 * time.Millisecond}
	for i := range 10 {
		var b strings.Builder
		for j := range 20 {
			fmt.Fprintf(&b, "Person %d-%d,p%d-%d@example.org\n", i, j, i, j)
		}
		body.pieces = append(body.pieces, b.String())
	}
	req, err := http.NewRequest("POST", s.URL+"/v1/contacts/import", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(out), `"created":200`) {
		t.Fatalf("a 2.75 s upload with a 1 s read timeout: %d %s", resp.StatusCode, out)
	}
}

// TestRestoreValueOverItsBound: a backup whose one value (here a
// contact's name) runs on past backup.MaxValue is refused as invalid,
// naming its section, once the server has read that much of it (and a
// bounded drain), not the whole 100 MiB the body may be.
func TestRestoreValueOverItsBound(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	status, sent := sendChunked(t, s.URL, "/v1/import", tok, "application/json", `{"format":"rapport-backup","contacts":[{"name":"`, api.MaxBackupBody)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", status)
	}
	if most := backup.MaxValue + uploadDrain + socketSlack; sent > most {
		t.Fatalf("the server read %d MiB before it answered; at most %d MiB expected", sent>>20, most>>20)
	}
}
