package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkImport50k: POST /v1/contacts/import of a 50,000-row CSV (about
// 4 MB) into an empty account; reports the time and the peak Go heap
// growth while it runs (the file is streamed, never held whole), then
// undoes it; a second user's writes are timed while the store is idle,
// during the import and during the undo (bystander). After each, a search
// for the last row (search-after-s, search-after-undo-s).
// Run: go test ./pkg/api -run '^$' -bench Import50k -benchtime 1x
func BenchmarkImport50k(b *testing.B) {
	var csv bytes.Buffer
	csv.WriteString("name,email,company,title,phone,tags,notes\n")
	rows := 50_000
	if n, err := strconv.Atoi(os.Getenv("RAPPORT_BENCH_ROWS")); err == nil && n > 0 {
		rows = n
	}
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&csv, "Person %d,p%d@example.com,Company %d,Engineer,+1 555 %04d,\"go; meetups\",Met at meetup %d\n", i, i, i%500, i%10000, i%200)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := MustServe(b, openSignup)
		_, tok := s.MustSignup(b, "ada@example.com")
		_, other := s.MustSignup(b, "grace@example.com")
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()
		// What the bystander's writes take with nothing else running.
		idle := bystander(s, other, "idle")
		time.Sleep(time.Second)
		reportWaits(b, "idle-write", idle())
		var res importRes
		b.StartTimer()
		beside(b, s, other, "import", "s/50k", "other-write", func() { res = mustImport(b, s, tok, "text/csv", csv.Bytes()) })
		b.StopTimer()
		close(stop)
		if res.Created != rows || len(res.Errors) != 0 {
			b.Fatalf("import %+v", res)
		}
		b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-heap-growth-MiB")
		b.ReportMetric(float64(csv.Len())/(1<<20), "file-MiB")
		// A search right after it: the contacts enter the search index
		// after the import answers, and a search of theirs indexes what is
		// still pending first; import-s + search-after-s is how long until
		// a search finds them all.
		start := time.Now()
		found := s.Do(b, "GET", fmt.Sprintf("/v1/search?q=person+%d", rows-1), tok, nil)
		b.ReportMetric(time.Since(start).Seconds(), "search-after-s")
		if items, _ := found.JSON(b)["items"].([]any); found.Status != 200 || len(items) == 0 {
			b.Fatalf("search after the import: %d %s", found.Status, found.Body)
		}
		// Undoing it: the 50,000 contacts deleted with what DELETE
		// /v1/contacts/{id} deletes, set-based, undoChunk to a transaction.
		var u *Response
		beside(b, s, other, "undo", "undo-s/50k", "undo-other-write", func() { u = s.Do(b, "DELETE", "/v1/imports/"+res.ImportID, tok, nil) })
		if u.Status != 200 || u.JSON(b)["deleted"] != float64(rows) {
			b.Fatalf("undo: %d %s", u.Status, u.Body)
		}
		// And one right after the undo: the contacts leave the search
		// index after the undo answers, and a search takes them out first.
		start = time.Now()
		found = s.Do(b, "GET", fmt.Sprintf("/v1/search?q=person+%d", rows-1), tok, nil)
		b.ReportMetric(time.Since(start).Seconds(), "search-after-undo-s")
		if items, _ := found.JSON(b)["items"].([]any); found.Status != 200 || len(items) != 0 {
			b.Fatalf("search after the undo: %d %s", found.Status, found.Body)
		}
	}
}

// bystander is another user writing while a benchmark's request runs: it
// creates a contact every 50 ms (each after the last has answered; its
// emails begin with phase, so no two are duplicates) until
// the returned func is called, which gives how long each took.
func bystander(s *TestServer, token, phase string) func() []time.Duration {
	stop, done := make(chan struct{}), make(chan []time.Duration)
	go func() {
		var took []time.Duration
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- took
				return
			case <-time.After(50 * time.Millisecond):
			}
			body := fmt.Sprintf(`{"name":"Bystander %d","emails":["%s%d@example.org"]}`, i, phase, i)
			req, _ := http.NewRequest("POST", s.URL+"/v1/contacts", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusCreated {
				took = append(took, time.Since(start))
			}
		}
	}()
	return func() []time.Duration {
		close(stop)
		return <-done
	}
}

// reportWaits reports the median and the longest of took, in ms, as
// name-p50-ms and name-max-ms.
// beside runs fn (phase) with the bystander's writes timed beside it, and
// reports fn's seconds as metric and the writes' times as waits.
func beside(b *testing.B, s *TestServer, other, phase, metric, waits string, fn func()) {
	start := time.Now()
	took := bystander(s, other, phase)
	fn()
	b.ReportMetric(time.Since(start).Seconds(), metric)
	reportWaits(b, waits, took())
}

func reportWaits(b *testing.B, name string, took []time.Duration) {
	if len(took) == 0 {
		b.Fatalf("%s: no write answered", name)
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, name+"-p50-ms")
	b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, name+"-max-ms")
}

// BenchmarkImportMerges: POST /v1/contacts/import of a 10,000-row CSV
// every row of which merges into a contact the account has (the same
// people, each with a second email, a title, a tag and a note: a LinkedIn
// export imported again), then its undo (DELETE /v1/imports/{id}); a
// second user's writes are timed during each (bystander).
// Run: go test ./pkg/api -run '^$' -bench ImportMerges -benchtime 3x
func BenchmarkImportMerges(b *testing.B) {
	const rows = 10_000
	var first, again bytes.Buffer
	first.WriteString("name,email,company,title,phone,tags,notes\n")
	again.WriteString("name,email,company,title,phone,tags,notes\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&first, "Person %d,p%d@example.com,Company %d,,+1 555 %04d,go,\n", i, i, i%500, i)
		fmt.Fprintf(&again, "Person %d,\"p%d@example.com;q%d@example.org\",Company %d,Engineer,+1 555 %04d,\"go; meetups\",Met at meetup %d\n",
			i, i, i, i%500, i, i%200)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := MustServe(b, openSignup)
		_, tok := s.MustSignup(b, "ada@example.com")
		_, other := s.MustSignup(b, "grace@example.com")
		mustImport(b, s, tok, "text/csv", first.Bytes())
		var res importRes
		b.StartTimer()
		beside(b, s, other, "import", "s/10k", "other-write", func() { res = mustImport(b, s, tok, "text/csv", again.Bytes()) })
		b.StopTimer()
		if res.Updated != rows || res.ImportID == "" || len(res.Errors) != 0 {
			b.Fatalf("import %+v", res)
		}
		beside(b, s, other, "undo", "undo-s", "undo-other-write", func() { MustStatus(b, s.Do(b, "DELETE", "/v1/imports/"+res.ImportID, tok, nil), 200) })
	}
}

// BenchmarkRestore: POST /v1/import of a backup of 30,000 contacts (one
// company each of 500, an email and a tag), 200 events and 30,000
// encounters, into an empty account, as the CardDAV benchmark's book is
// made; reports the time the restore took.
// Run: go test ./pkg/api -run '^$' -bench Restore -benchtime 1x
func BenchmarkRestore(b *testing.B) {
	benchmarkRestore(b, false)
}

// BenchmarkRestoreFollowUps: the same backup with what logging those
// encounters left behind: a thank-you and a check-in for each contact,
// 60,000 follow-ups, the thank-yous pending and nudged (half of them) or
// done, the check-ins pending and not yet due.
// Run: go test ./pkg/api -run '^$' -bench RestoreFollowUps -benchtime 1x
func BenchmarkRestoreFollowUps(b *testing.B) {
	benchmarkRestore(b, true)
}

// benchmarkRestore times POST /v1/import of BenchmarkRestore's backup, with
// its follow-ups when asked.
func benchmarkRestore(b *testing.B, followUps bool) {
	const n = 30_000
	var body bytes.Buffer
	ts := time.Date(2026, 11, 1, 18, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
	body.WriteString(`{"format":"rapport-backup","version":1,"contacts":[`)
	for i := range n {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"id":"c%d","name":"Person %d","emails":["p%d@example.com"],"company":"Company %d","tags":["go"],"notes":"Met in Berlin","created_at":%q,"updated_at":%q}`, i, i, i, i%500, ts, ts)
	}
	body.WriteString(`],"events":[`)
	for e := range 200 {
		if e > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"id":"e%d","title":"Meetup %d","kind":"meetup","starts_at":%q,"ends_at":%q,"timezone":"UTC","status":"planned","created_at":%q,"updated_at":%q}`, e, e, ts, ts, ts, ts)
	}
	body.WriteString(`],"encounters":[`)
	for i := range n {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"id":"x%d","event_id":"e%d","contact_id":"c%d","moment":"after_talk","met_at":%q,"topics":["go"],"created_at":%q}`, i, i%200, i, ts, ts)
	}
	if followUps {
		due, later := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).Format(time.RFC3339), time.Date(2027, 1, 2, 9, 0, 0, 0, time.UTC).Format(time.RFC3339)
		body.WriteString(`],"followups":[`)
		for i := range n {
			if i > 0 {
				body.WriteByte(',')
			}
			thanks := `"status":"pending","notified_at":null`
			switch i % 4 {
			case 0, 1:
				thanks = fmt.Sprintf(`"status":"pending","notified_at":%q`, due)
			case 2:
				thanks = fmt.Sprintf(`"status":"done","notified_at":null,"ended_at":%q`, due)
			}
			fmt.Fprintf(&body, `{"id":"t%d","contact_id":"c%d","kind":"thank_you","due_at":%q,%s,"note":"","encounter_id":"x%d","event_id":"e%d","sequence":0,"created_at":%q,"updated_at":%q},`,
				i, i, due, thanks, i, i%200, ts, ts)
			fmt.Fprintf(&body, `{"id":"k%d","contact_id":"c%d","kind":"check_in","due_at":%q,"status":"pending","notified_at":null,"note":"","encounter_id":"x%d","sequence":0,"created_at":%q,"updated_at":%q}`,
				i, i, later, i, ts, ts)
		}
	}
	body.WriteString("]}")
	for b.Loop() {
		b.StopTimer()
		s := MustServe(b)
		_, tok := s.MustSignup(b, "ada@example.com")
		b.StartTimer()
		start := time.Now()
		r := s.upload(b, "/v1/import", tok, "application/json", body.Bytes())
		b.ReportMetric(time.Since(start).Seconds(), "s/restore")
		MustStatus(b, r, 200)
		if followUps {
			if restored := r.JSON(b)["restored"].(map[string]any); restored["followups"] != float64(2*n) {
				b.Fatalf("restored %v", restored)
			}
		}
	}
}

// BenchmarkInsights: GET /v1/insights for an account of 5,000 contacts, 500
// events (2 talks each) and 20,000 encounters on the MongoDB adapter over
// FerretDB (which scans: see pkg/sqlite's Insights20k for the default store).
// Compute counts with the pipelines, AfterWrite is the HTTP view right after
// logging an encounter (the write is not timed), Cached a repeat view.
// Run: go test ./pkg/api -run '^$' -bench Insights -benchtime 5x
