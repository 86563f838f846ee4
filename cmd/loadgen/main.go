// Command loadgen drives a running Rapport server with realistic traffic and
// prints throughput, latency percentiles and errors per scenario. It signs
// up (or uses -token), seeds contacts and events, then runs each scenario
// for -duration at each connection count. Every loop is bounded in time;
// point it only at a server you run (scripts/load does that).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	token := flag.String("token", "", "API token (default: sign up a new user)")
	conns := flag.String("conns", "16,64", "connection counts to run each scenario at")
	duration := flag.Duration("duration", 10*time.Second, "time per scenario and connection count")
	contacts := flag.Int("contacts", 2000, "contacts to seed")
	events := flag.Int("events", 200, "events to seed")
	encounters := flag.Int("encounters", 0, "encounters to seed (spread over the contacts and events)")
	restore := flag.Bool("restore", false, "seed by restoring one generated backup (POST /v1/import) instead of one request per record: for 50,000 contacts and more")
	only := flag.String("only", "", "run only the scenarios whose name contains this")
	flag.Parse()

	lg := &loadgen{base: strings.TrimRight(*base, "/"), client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}}
	lg.token = *token
	if lg.token == "" {
		email := fmt.Sprintf("load-%d@example.com", time.Now().UnixNano())
		var out struct{ Token string }
		if st := lg.do("POST", "/v1/signup", map[string]any{"email": email, "name": "Load Test"}, &out, nil); st != 201 {
			fail("sign-up answered %d (set CRM_OPEN_SIGNUP=true or pass -token)", st)
		}
		lg.token = out.Token
	}
	start := time.Now()
	if *restore {
		lg.restore(*contacts, *events, *encounters)
	} else {
		lg.seed(*contacts, *events)
	}
	fmt.Printf("seeded %d contacts, %d events and %d encounters in %s\n\n", *contacts, *events, *encounters, time.Since(start).Round(time.Millisecond))
	lg.collectContactIDs(1000)

	var counts []int
	for _, c := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			fail("bad -conns %q", *conns)
		}
		counts = append(counts, n)
	}
	var feedURL, etag string
	var feeds struct{ All string }
	lg.do("POST", "/v1/feeds/rotate", nil, &feeds, nil)
	feedURL = feeds.All[strings.Index(feeds.All, "/ical/"):]

	var seq atomic.Int64
	patch := func() (int, error) {
		return lg.try("PATCH", "/v1/contacts/"+lg.someContact(), map[string]any{"title": fmt.Sprint("Engineer ", seq.Add(1))}, nil)
	}
	scenarios := []struct {
		name     string
		prep, op func() (int, error)
	}{
		{name: "log an encounter (new inline contact)", op: func() (int, error) {
			n := seq.Add(1)
			ev := lg.eventIDs[rand.IntN(len(lg.eventIDs))]
			return lg.try("POST", "/v1/events/"+ev+"/encounters", map[string]any{
				"contact": map[string]any{"name": fmt.Sprint("Walk-in ", n), "emails": []string{fmt.Sprintf("walkin-%d-%d@example.com", time.Now().UnixNano(), n)}},
				"moment":  "after_talk", "notes": "talked about observability", "topics": []string{"otel", "go"}}, nil)
		}},
		{name: "list contacts (page of 50)", op: func() (int, error) {
			return lg.try("GET", "/v1/contacts?limit=50", nil, nil)
		}},
		{name: "search contacts (q=...)", op: func() (int, error) {
			return lg.try("GET", "/v1/contacts?limit=50&q="+searchTerms[rand.IntN(len(searchTerms))], nil, nil)
		}},
		{name: "search everything (/v1/search?q=...)", op: func() (int, error) {
			return lg.try("GET", "/v1/search?q="+searchTerms[rand.IntN(len(searchTerms))], nil, nil)
		}},
		{name: "feed all.ics (200)", op: func() (int, error) {
			return lg.try("GET", feedURL, nil, nil)
		}},
		{name: "feed all.ics (304)", op: func() (int, error) {
			return lg.try("GET", feedURL, nil, map[string]string{"If-None-Match": etag})
		}},
		{name: "get one contact", op: func() (int, error) {
			return lg.try("GET", "/v1/contacts/"+lg.someContact(), nil, nil)
		}},
		{name: "patch one contact", op: patch},
		// "Right after a write": each client patches a contact (untimed),
		// then makes the timed read.
		{"list contacts right after a write", patch, func() (int, error) { return lg.try("GET", "/v1/contacts?limit=50", nil, nil) }},
		{"search right after a write", patch, func() (int, error) {
			return lg.try("GET", "/v1/contacts?limit=50&q="+searchTerms[rand.IntN(len(searchTerms))], nil, nil)
		}},
		{"get one contact right after a write", patch, func() (int, error) { return lg.try("GET", "/v1/contacts/"+lg.someContact(), nil, nil) }},
	}
	fmt.Printf("| scenario | conns | requests | req/s | p50 | p99 | errors |\n|---|---|---|---|---|---|---|\n")
	for _, sc := range scenarios {
		if *only != "" && !strings.Contains(sc.name, *only) {
			continue
		}
		if strings.Contains(sc.name, "304") {
			etag = lg.etag(feedURL)
		}
		for _, c := range counts {
			r := run(c, *duration, sc.prep, sc.op)
			fmt.Printf("| %s | %d | %d | %.0f | %s | %s | %d |\n", sc.name, c, r.n, float64(r.n)/r.elapsed.Seconds(),
				ms(r.p50), ms(r.p99), r.errors)
		}
	}
}

var searchTerms = []string{"person", "acme", "rust", "gopher", "example.com", "1234", "speaker", "berlin"}

type result struct {
	n, errors int
	p50, p99  time.Duration
	elapsed   time.Duration
}

// run calls op from conns goroutines until d has passed, timing op only;
// prep (if any) runs untimed before each op.
func run(conns int, d time.Duration, prep, op func() (int, error)) result {
	var mu sync.Mutex
	var lat []time.Duration
	var errors int
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) {
				if prep != nil {
					if st, err := prep(); err != nil || st >= 400 {
						bad++
						continue
					}
				}
				t0 := time.Now()
				st, err := op()
				if err != nil || st >= 400 {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errors += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := result{n: len(lat), errors: errors, elapsed: time.Since(start)}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return r
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

type loadgen struct {
	base, token string
	client      *http.Client
	eventIDs    []string
	contactIDs  []string
}

// someContact is a random one of the seeded contacts.
func (lg *loadgen) someContact() string { return lg.contactIDs[rand.IntN(len(lg.contactIDs))] }

// collectContactIDs pages through the contacts until it has n ids.
func (lg *loadgen) collectContactIDs(n int) {
	cursor := ""
	for len(lg.contactIDs) < n {
		var page struct {
			Items      []struct{ ID string }
			NextCursor string `json:"next_cursor"`
		}
		lg.do("GET", "/v1/contacts?limit=200&cursor="+cursor, nil, &page, nil)
		for _, c := range page.Items {
			lg.contactIDs = append(lg.contactIDs, c.ID)
		}
		if page.NextCursor == "" || len(page.Items) == 0 {
			break
		}
		cursor = page.NextCursor
	}
	if len(lg.contactIDs) == 0 {
		fail("no contacts to read")
	}
}

// restore seeds by one backup restore: contacts, events (one talk each)
// and encounters spread over them, written as a stream.
func (lg *loadgen) restore(contacts, events, encounters int) {
	pr, pw := io.Pipe()
	go func() {
		w := bufio.NewWriterSize(pw, 1<<20)
		now := time.Now().UTC()
		fmt.Fprintf(w, `{"format":"rapport-backup","version":1,"settings":{"name":"Load Test","timezone":"Europe/Berlin","nudge_hour":9},`)
		companies := []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Gophers GmbH", "Rustaceans Ltd"}
		ts := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
		w.WriteString(`"contacts":[`)
		for c := range contacts {
			if c > 0 {
				w.WriteByte(',')
			}
			fmt.Fprintf(w, `{"id":"c%d","name":"Person %d","emails":["person%d@example.com"],"company":%q,"title":"Engineer","tags":[%q],"notes":"Met at meetup %d in Berlin","created_at":%q,"updated_at":%q}`,
				c, c, c, companies[c%len(companies)], []string{"speaker", "gopher", "rust", "investor"}[c%4], c%max(events, 1), ts(now), ts(now))
		}
		w.WriteString(`],"events":[`)
		for e := range events {
			if e > 0 {
				w.WriteByte(',')
			}
			at := now.Add(time.Duration(e-events/2) * 24 * time.Hour)
			fmt.Fprintf(w, `{"id":"e%d","title":"Meetup #%d: Go, Rust and friends","kind":"meetup","starts_at":%q,"ends_at":%q,"timezone":"Europe/Berlin","location":"Berlin","talks":[{"title":"Talk %d","speaker":"Speaker %d"}],"tags":["go","meetup"],"status":"planned","created_at":%q,"updated_at":%q}`,
				e, e, ts(at), ts(at.Add(2*time.Hour)), e, e%40, ts(now), ts(now))
		}
		w.WriteString(`],"encounters":[`)
		for i := range encounters {
			if i > 0 {
				w.WriteByte(',')
			}
			e := i % max(events, 1)
			at := now.Add(time.Duration(e-events/2) * 24 * time.Hour)
			fmt.Fprintf(w, `{"id":"x%d","event_id":"e%d","contact_id":"c%d","moment":"after_talk","met_at":%q,"notes":"talked about observability","topics":["otel","go"],"created_at":%q}`,
				i, e, (i*7919)%max(contacts, 1), ts(at), ts(now))
		}
		w.WriteString("]}\n")
		pw.CloseWithError(w.Flush())
	}()
	req, _ := http.NewRequest("POST", lg.base+"/v1/import", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+lg.token)
	client := &http.Client{Timeout: 30 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		fail("restore: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 201 {
		fail("restore answered %d: %s", resp.StatusCode, body)
	}
	lg.collectEventIDs()
}

// collectEventIDs reads the ids of (up to 200 of) the seeded events.
func (lg *loadgen) collectEventIDs() {
	var page struct{ Items []struct{ ID string } }
	lg.do("GET", "/v1/events?limit=200", nil, &page, nil)
	for _, e := range page.Items {
		lg.eventIDs = append(lg.eventIDs, e.ID)
	}
	if len(lg.eventIDs) == 0 {
		fail("no events after the restore")
	}
}

func (lg *loadgen) try(method, path string, body any, headers map[string]string) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, lg.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if lg.token != "" {
		req.Header.Set("Authorization", "Bearer "+lg.token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := lg.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (lg *loadgen) do(method, path string, body, out any, headers map[string]string) int {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, lg.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if lg.token != "" {
		req.Header.Set("Authorization", "Bearer "+lg.token)
	}
	resp, err := lg.client.Do(req)
	if err != nil {
		fail("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func (lg *loadgen) etag(path string) string {
	req, _ := http.NewRequest("GET", lg.base+path, nil)
	resp, err := lg.client.Do(req)
	if err != nil {
		fail("feed: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header.Get("ETag")
}

// seed creates events and contacts with 16 parallel clients.
func (lg *loadgen) seed(contacts, events int) {
	companies := []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Gophers GmbH", "Rustaceans Ltd"}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if i < events {
					var ev struct{ ID string }
					st := lg.do("POST", "/v1/events", map[string]any{"title": fmt.Sprintf("Meetup #%d: Go, Rust and friends", i),
						"starts_at": time.Now().Add(time.Duration(i-events/2) * 24 * time.Hour).UTC().Format(time.RFC3339),
						"location":  "Berlin", "tags": []string{"go", "meetup"}, "talks": []map[string]any{{"title": "Talk " + strconv.Itoa(i), "speaker": "Speaker " + strconv.Itoa(i%40)}}}, &ev, nil)
					if st != 201 {
						fail("seed event: %d", st)
					}
					mu.Lock()
					lg.eventIDs = append(lg.eventIDs, ev.ID)
					mu.Unlock()
					continue
				}
				c := i - events
				if st := lg.do("POST", "/v1/contacts", map[string]any{"name": fmt.Sprintf("Person %d", c),
					"emails": []string{fmt.Sprintf("person%d@example.com", c)}, "company": companies[c%len(companies)], "title": "Engineer",
					"tags": []string{[]string{"speaker", "gopher", "rust", "investor"}[c%4]}, "notes": "Met at meetup " + strconv.Itoa(c%events) + " in Berlin"}, nil, nil); st != 201 {
					fail("seed contact: %d", st)
				}
			}
		}()
	}
	for i := 0; i < events+contacts; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "loadgen: "+format+"\n", args...)
	os.Exit(1)
}
