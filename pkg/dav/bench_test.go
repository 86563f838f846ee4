package dav_test

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/carddav"

	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
)

var hrefRE = regexp.MustCompile(`<(?:\w+:)?href>([^<]+)</(?:\w+:)?href>`)

// BenchmarkCardSync: an address book of 30,000 contacts (and 30,000
// encounters at 200 events), synced as DAVx5 and vdirsyncer do it: a
// PROPFIND of every card's ETag, then addressbook-multiget in batches of
// 100 (FirstSync, with nothing kept of an earlier listing); then, after
// one contact changed, the ETag PROPFIND (the last listing, patched) and a
// multiget of the one changed card (ETagsAfterOneChange), or one
// sync-collection REPORT with the last token (SyncCollectionAfterOneChange).
// ListingMemory: the heap one ETag PROPFIND from cold takes.
// go test ./pkg/dav -run '^$' -bench CardSync -benchtime 1x
//
// With RAPPORT_BENCH_PHONE_CARDS=1 every card is one a phone made: a
// labelled phone, a birthday and a family name of two words kept in its
// extra (codec.CardExtra), which every card served decodes and dresses.
func BenchmarkCardSync(b *testing.B) {
	const n = 30_000
	s := serve(b)
	u := s.signup(b, "me@example.com")
	phoneCards := os.Getenv("RAPPORT_BENCH_PHONE_CARDS") == "1"
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriter(pw)
		ts := time.Date(2026, 11, 1, 18, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05.000Z")
		w.WriteString(`{"format":"rapport-backup","version":1,"contacts":[`)
		for i := range n {
			if i > 0 {
				w.WriteByte(',')
			}
			extra := ""
			if phoneCards {
				extra = fmt.Sprintf(`,"phones":["+1 555 %04d"],"card_extra":"BEGIN:VCARD\r\nVERSION:3.0\r\nBDAY:1990-04-02\r\nFN:Person %d\r\nN:de Person %d;Ada;;;\r\nTEL;TYPE=CELL:+1 555 %04d\r\nEND:VCARD\r\n"`, i%10000, i, i, i%10000)
			}
			fmt.Fprintf(w, `{"id":"c%d","name":"Person %d","emails":["p%d@example.com"],"company":"Acme","tags":["go"],"notes":"Met in Berlin","created_at":%q,"updated_at":%q%s}`, i, i, i, ts, ts, extra)
		}
		w.WriteString(`],"events":[`)
		for e := range 200 {
			if e > 0 {
				w.WriteByte(',')
			}
			fmt.Fprintf(w, `{"id":"e%d","title":"Meetup %d","kind":"meetup","starts_at":%q,"ends_at":%q,"timezone":"UTC","status":"planned","created_at":%q,"updated_at":%q}`, e, e, ts, ts, ts, ts)
		}
		w.WriteString(`],"encounters":[`)
		for i := range n {
			if i > 0 {
				w.WriteByte(',')
			}
			fmt.Fprintf(w, `{"id":"x%d","event_id":"e%d","contact_id":"c%d","moment":"after_talk","met_at":%q,"topics":["go"],"created_at":%q}`, i, i%200, i, ts, ts)
		}
		w.WriteString("]}")
		pw.CloseWithError(w.Flush())
	}()
	if _, err := backup.Import(b.Context(), s.crm, s.acc, s.holds, u.User, pr); err != nil {
		b.Fatal(err)
	}
	// Both the PROPFIND and the multigets go through wait, which tells the
	// server's share of a sync from the client's decoding.
	wait := &waited{}
	web := &http.Client{Transport: wait}
	cl, err := carddav.NewClient(webdav.HTTPClientWithBasicAuth(web, u.Email, u.token), s.URL)
	if err != nil {
		b.Fatal(err)
	}
	etags := func() []string {
		req, _ := http.NewRequest("PROPFIND", s.URL+dav.BookPath, strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`))
		req.SetBasicAuth(u.Email, u.token)
		req.Header.Set("Depth", "1")
		req.Header.Set("Content-Type", "application/xml")
		resp, err := web.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var hrefs []string
		for _, m := range hrefRE.FindAllStringSubmatch(string(body), -1) {
			if strings.HasSuffix(m[1], ".vcf") {
				hrefs = append(hrefs, m[1])
			}
		}
		if len(hrefs) == 0 {
			b.Fatalf("PROPFIND %d: %.300s", resp.StatusCode, body)
		}
		return hrefs
	}
	id, first := firstCard(b, s, u)
	b.Run("ListingMemory", func(b *testing.B) { listingMemory(b, s, u) })
	b.Run("FirstSync", func(b *testing.B) {
		i := 0
		wait.total, wait.bytes = 0, 0
		for b.Loop() {
			// After a change, and with no listing kept (as after a
			// restart), so that nothing the server keeps of an earlier
			// listing answers or is patched (see dav.listings): a first
			// sync from cold.
			b.StopTimer()
			i++
			if _, err := s.crm.UpdateContact(b.Context(), u.User, id, []byte(fmt.Sprintf(`{"title":"Speaker %d"}`, i))); err != nil {
				b.Fatal(err)
			}
			s.dav.ForgetListings()
			b.StartTimer()
			hrefs := etags()
			if len(hrefs) != n {
				b.Fatalf("%d cards listed, want %d", len(hrefs), n)
			}
			for i := 0; i < len(hrefs); i += 100 {
				objs, err := cl.MultiGetAddressBook(b.Context(), dav.BookPath, &carddav.AddressBookMultiGet{Paths: hrefs[i:min(i+100, len(hrefs))],
					DataRequest: carddav.AddressDataRequest{AllProp: true}})
				if err != nil || len(objs) == 0 {
					b.Fatalf("multiget: %d, %v", len(objs), err)
				}
			}
		}
		b.ReportMetric(wait.total.Seconds()/float64(b.N), "server-s/op")
		b.ReportMetric(float64(wait.bytes)/float64(b.N)/(1<<20), "answer-MiB/op")
	})
	// With sync-collection (the SQLite store's change journal): only the
	// changed card is read.
	tok, err := cl.SyncCollection(b.Context(), dav.BookPath, &carddav.SyncQuery{})
	if err != nil || len(tok.Updated) != n {
		b.Fatalf("initial sync-collection: %d, %v", len(tok.Updated), err)
	}
	token := tok.SyncToken
	b.Run("SyncCollectionAfterOneChange", func(b *testing.B) {
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			if _, err := s.crm.UpdateContact(b.Context(), u.User, id, []byte(fmt.Sprintf(`{"title":"Lead %d"}`, i))); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			res, err := cl.SyncCollection(b.Context(), dav.BookPath, &carddav.SyncQuery{SyncToken: token, DataRequest: carddav.AddressDataRequest{AllProp: true}})
			if err != nil || len(res.Updated) != 1 {
				b.Fatalf("sync after one change: %d updated, %v", len(res.Updated), err)
			}
			token = res.SyncToken
		}
	})
	b.Run("ETagsAfterOneChange", func(b *testing.B) {
		i := 0
		for b.Loop() {
			b.StopTimer()
			i++
			if _, err := s.crm.UpdateContact(b.Context(), u.User, id, []byte(fmt.Sprintf(`{"title":"Engineer %d"}`, i))); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if len(etags()) != n {
				b.Fatal("cards missing")
			}
			if _, err := cl.MultiGetAddressBook(b.Context(), dav.BookPath, &carddav.AddressBookMultiGet{Paths: []string{first},
				DataRequest: carddav.AddressDataRequest{AllProp: true}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// waited is an http.RoundTripper that reads each answer whole before
// handing it on, and adds up the time from sending a request to the
// answer's last byte: the server's share of a sync (and the loopback's).
// The rest of a sync's time is the client's, decoding the XML and the
// cards (on the same two cores). bytes adds up the answers' sizes.
type waited struct {
	total time.Duration
	bytes int
}

func (w *waited) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	w.total += time.Since(start)
	w.bytes += len(body)
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// listingMemory measures the memory of one ETag PROPFIND of u's address
// book from cold, the answer read and dropped as it comes: the heap it
// adds at its peak (sampled every 5 ms) and all it allocates, the
// server's nearly all.
func listingMemory(b *testing.B, s *server, u *user) {
	var before, after runtime.MemStats
	for b.Loop() {
		s.dav.ForgetListings()
		runtime.GC()
		runtime.ReadMemStats(&before)
		stop, peak := make(chan struct{}), make(chan uint64)
		go func() {
			var m runtime.MemStats
			var top uint64
			for {
				select {
				case <-stop:
					peak <- top
					return
				case <-time.After(5 * time.Millisecond):
					runtime.ReadMemStats(&m)
					top = max(top, m.HeapInuse)
				}
			}
		}()
		req, _ := http.NewRequest("PROPFIND", s.URL+dav.BookPath, strings.NewReader(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>`))
		req.SetBasicAuth(u.Email, u.token)
		req.Header.Set("Depth", "1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		close(stop)
		b.ReportMetric(float64(n)/(1<<20), "answer-MiB")
		b.ReportMetric(float64(<-peak-before.HeapInuse)/(1<<20), "peak-heap-MiB")
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MiB/op")
	}
}

// firstCard is the id of the user's first contact and its card's path: a
// restore gives records new ids and keeps the cards' names (the old ids).
func firstCard(b *testing.B, s *server, u *user) (id, path string) {
	page, err := s.crm.Contacts.Store.Contacts(b.Context(), u.ID, contacts.Filter{Limit: 1})
	if err != nil || len(page.Items) == 0 {
		b.Fatalf("no contact restored: %v", err)
	}
	c := page.Items[0]
	return c.ID, dav.BookPath + cmp.Or(c.DAVName, c.ID) + ".vcf"
}
