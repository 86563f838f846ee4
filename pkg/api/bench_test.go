package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/calendar"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/web"
)

// runConcurrent calls op b.N times from clients goroutines and reports
// requests per second and p50/p99 latency.
func runConcurrent(b *testing.B, clients int, op func(i int) error) {
	b.Helper()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(i); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds())/1000, "p99-ms")
}

var benchSeq atomic.Int64

// postEncounter logs an encounter with a new inline contact, the n-th
// (Person n, pn@example.com, at Acme), through the API at url (an
// event's /encounters), as BenchmarkLogEncounter and MCP/paired do.
func postEncounter(client *http.Client, url, token string, n int64) error {
	body, _ := json.Marshal(map[string]any{
		"contact": map[string]any{"name": fmt.Sprint("Person ", n), "emails": []string{fmt.Sprintf("p%d@example.com", n)}, "company": "Acme"},
		"moment":  "after_talk", "notes": "talked about observability", "topics": []string{"otel", "go"},
	})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	_, err := fetch(client, req, 201)
	return err
}

// BenchmarkLogEncounter measures POST /v1/events/{id}/encounters with a new
// inline contact each time, through the HTTP stack on the embedded store.
// Run: go test ./pkg/api -run '^$' -bench LogEncounter -benchtime 2000x
func BenchmarkLogEncounter(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("API/clients=%d", clients), func(b *testing.B) {
			s := MustServe(b)
			_, tok := s.MustSignup(b, "ada@example.com")
			ev := s.MustCreateEvent(b, tok, nil)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			url := s.URL + "/v1/events/" + ev + "/encounters"
			runConcurrent(b, clients, func(i int) error { return postEncounter(client, url, tok, benchSeq.Add(1)) })
		})
	}
	// The same documents written straight with the driver: the dedupe key,
	// the contact, the encounter and its two follow-ups.
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("RawInserts/clients=%d", clients), func(b *testing.B) {
			st := mongotest.MustOpen(b)
			db := st.DB
			ctx := context.Background()
			runConcurrent(b, clients, func(i int) error {
				n := benchSeq.Add(1)
				now := record.Time(time.Now())
				cid, eid := record.NewID(), record.NewID()
				docs := []struct {
					coll string
					doc  bson.M
				}{
					{"contact_keys", bson.M{"_id": fmt.Sprintf("u|email:p%d@example.com", n), "user_id": "u", "contact_id": cid, "created_at": now}},
					{"contacts", bson.M{"_id": cid, "user_id": "u", "name": fmt.Sprint("Person ", n), "emails": bson.A{fmt.Sprintf("p%d@example.com", n)}, "company": "Acme", "created_at": now, "updated_at": now}},
					{"encounters", bson.M{"_id": eid, "user_id": "u", "event_id": "e", "contact_id": cid, "moment": "after_talk", "met_at": now, "notes": "talked about observability", "topics": bson.A{"otel", "go"}}},
					{"followups", bson.M{"_id": record.NewID(), "user_id": "u", "contact_id": cid, "kind": "thank_you", "due_at": now, "status": "pending"}},
					{"followups", bson.M{"_id": record.NewID(), "user_id": "u", "contact_id": cid, "kind": "check_in", "due_at": now, "status": "pending"}},
				}
				for _, d := range docs {
					if _, err := db.Collection(d.coll).InsertOne(ctx, d.doc); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
}

// BenchmarkFeed: all.ics of a user with 5,000 events and 5,000 pending
// follow-ups (on 1,000 contacts), seeded straight into the MongoDB adapter
// over FerretDB, rendered in full and answered with 304.
// Run: go test ./pkg/api -run '^$' -bench Feed -benchtime 20x
func BenchmarkFeed(b *testing.B) {
	s := mustServeMongo(b, mongotest.MustOpen(b))
	uid, tok := s.MustSignup(b, "ada@example.com")
	ctx := context.Background()
	now := record.Time(s.Clock.Now())
	var evs, cs, fs []any
	for i := 0; i < 5000; i++ {
		t := now.Add(time.Duration(i-2500) * 3 * time.Hour)
		title := fmt.Sprintf("Meetup %d: Go, Rust; and friends", i)
		evs = append(evs, bson.M{"_id": record.NewID(), "user_id": uid, "title": title, "kind": "meetup", "starts_at": t, "ends_at": t.Add(2 * time.Hour),
			"timezone": "Europe/Berlin", "location": "c-base, Berlin", "url": "https://example.com/e", "organizer": "Gophers", "talks": bson.A{},
			"tags": bson.A{"go"}, "tags_lower": bson.A{"go"}, "notes": "Talks and pizza", "status": "planned", "sequence": 0, "search": title,
			"created_at": now, "updated_at": now})
	}
	for i := 0; i < 1000; i++ {
		cs = append(cs, bson.M{"_id": fmt.Sprintf("c%04d", i), "user_id": uid, "name": fmt.Sprintf("Contact %d", i), "name_lower": fmt.Sprintf("contact %d", i),
			"emails": bson.A{}, "phones": bson.A{}, "tags": bson.A{}, "created_at": now, "updated_at": now})
	}
	for i := 0; i < 5000; i++ {
		id := record.NewID()
		fs = append(fs, bson.M{"_id": id, "user_id": uid, "contact_id": fmt.Sprintf("c%04d", i%1000), "kind": "custom", "due_at": now.Add(time.Duration(i) * time.Hour),
			"status": "pending", "note": "follow up", "pending_key": id, "sequence": 0, "created_at": now, "updated_at": now})
	}
	for coll, docs := range map[string][]any{"events": evs, "contacts": cs, "followups": fs} {
		for start := 0; start < len(docs); start += 1000 {
			if _, err := s.Store.DB.Collection(coll).InsertMany(ctx, docs[start:min(start+1000, len(docs))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	runFeedBench(b, s, uid, tok)
}

// BenchmarkFeedSQLite is BenchmarkFeed on the default engine, seeded
// through the services (5,000 events, 1,000 contacts, 5,000 follow-ups).
// Run: go test ./pkg/api -run '^$' -bench FeedSQLite -benchtime 20x
func BenchmarkFeedSQLite(b *testing.B) {
	s := MustServe(b)
	uid, tok := s.MustSignup(b, "ada@example.com")
	ctx := context.Background()
	now := s.Clock.Now().UTC()
	for i := 0; i < 5000; i++ {
		t := now.Add(time.Duration(i-2500) * 3 * time.Hour)
		in := events.Input{Title: fmt.Sprintf("Meetup %d: Go, Rust; and friends", i), Kind: "meetup", StartsAt: t.Format(time.RFC3339),
			EndsAt: t.Add(2 * time.Hour).Format(time.RFC3339), Timezone: "Europe/Berlin", Location: "c-base, Berlin", URL: "https://example.com/e",
			Organizer: "Gophers", Tags: []string{"go"}, Notes: "Talks and pizza"}
		if _, err := s.CRM.Events.Create(ctx, uid, "UTC", in); err != nil {
			b.Fatal(err)
		}
	}
	ids := make([]string, 1000)
	for i := range ids {
		c, err := s.CRM.Contacts.Create(ctx, uid, contacts.Input{Name: fmt.Sprintf("Contact %d", i)}, contacts.CreateOpts{})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = c.ID
	}
	for i := 0; i < 5000; i++ {
		f := &followup.FollowUp{ContactID: ids[i%1000], Kind: "custom", DueAt: now.Add(time.Duration(i) * time.Hour), Note: "follow up"}
		if _, err := s.CRM.Followups.Create(ctx, uid, f); err != nil {
			b.Fatal(err)
		}
	}
	runFeedBench(b, s, uid, tok)
}

// runFeedBench times all.ics of the seeded user: rendered from the store,
// over HTTP in full, and answered with 304.
func runFeedBench(b *testing.B, s *TestServer, uid, tok string) {
	ctx := context.Background()
	path := feedPath(s.feedURLs(b, tok)["all"].(string))
	first := s.Do(b, "GET", path, "", nil)
	MustStatus(b, first, 200)
	etag := first.Header.Get("ETag")
	b.Logf("all.ics: %d bytes, %d entries", len(first.Body), strings.Count(string(first.Body), "BEGIN:VEVENT"))
	b.Run("RenderFromStore", func(b *testing.B) {
		u, err := s.Accounts.User(ctx, uid)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			cal, err := s.CRM.Feed(ctx, u, "all", "http://rapport.test")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := calendar.Encode(cal); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Full", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			MustStatus(b, s.Do(b, "GET", path, "", nil), 200)
		}
	})
	b.Run("NotModified", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			MustStatus(b, s.Do(b, "GET", path, "", nil, "If-None-Match", etag), 304)
		}
	})
	// One event changes (untimed), then the whole feed is fetched: what a
	// calendar app sees after an edit.
	page, err := s.CRM.Events.Store.Events(ctx, uid, events.Filter{Limit: 1})
	if err != nil || len(page.Items) == 0 {
		b.Fatalf("no event to change: %v", err)
	}
	b.Run("FullAfterChange", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if _, err := s.CRM.Events.Update(ctx, uid, page.Items[0].ID, []byte(fmt.Sprintf(`{"title":"Changed %d"}`, i))); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			MustStatus(b, s.Do(b, "GET", path, "", nil), 200)
		}
	})
}

func BenchmarkInsights(b *testing.B) {
	s := mustServeMongo(b, mongotest.MustOpen(b))
	uid, tok := s.MustSignup(b, "ada@example.com")
	ctx := context.Background()
	now := record.Time(s.Clock.Now())
	topics := []string{"go", "rust", "ai", "wasm", "k8s", "otel", "llm", "db", "security", "devrel"}
	var cs, evs, encs []any
	for i := 0; i < 5000; i++ {
		cadence := 0
		if i%10 == 0 {
			cadence = 60
		}
		last := now.Add(-time.Duration(i%200) * 24 * time.Hour)
		cs = append(cs, bson.M{"_id": fmt.Sprintf("c%05d", i), "user_id": uid, "name": fmt.Sprintf("Contact %d", i), "name_lower": fmt.Sprintf("contact %d", i),
			"emails": bson.A{fmt.Sprintf("c%d@example.com", i)}, "phones": bson.A{}, "tags": bson.A{"x"}, "tags_lower": bson.A{"x"}, "company": "Acme",
			"cadence_days": cadence, "last_contacted_at": last, "known_since": now, "created_at": now, "updated_at": now})
	}
	for i := 0; i < 500; i++ {
		t := now.Add(-time.Duration(i*9) * time.Hour)
		evs = append(evs, bson.M{"_id": fmt.Sprintf("e%03d", i), "user_id": uid, "title": fmt.Sprint("Meetup ", i), "kind": "meetup",
			"starts_at": t, "ends_at": t.Add(2 * time.Hour), "tags": bson.A{topics[i%10], topics[(i+3)%10]}, "tags_lower": bson.A{topics[i%10], topics[(i+3)%10]},
			"talks":  bson.A{bson.M{"title": "On #" + topics[i%10], "speaker": fmt.Sprint("Speaker ", i%40)}, bson.M{"title": "Panel", "speaker": fmt.Sprint("Speaker ", (i+7)%40)}},
			"status": "attended", "sequence": 0, "created_at": now, "updated_at": now})
	}
	for i := 0; i < 20000; i++ {
		t := now.Add(-time.Duration(i) * 13 * time.Minute)
		tl := bson.A{topics[i%10], topics[(i/10)%10]}
		encs = append(encs, bson.M{"_id": record.NewID(), "user_id": uid, "event_id": fmt.Sprintf("e%03d", i%500), "contact_id": fmt.Sprintf("c%05d", i%5000),
			"moment": "after_talk", "met_at": t, "notes": "talked about things", "topics": tl, "topics_lower": tl, "created_at": now})
	}
	for coll, docs := range map[string][]any{"contacts": cs, "events": evs, "encounters": encs} {
		for start := 0; start < len(docs); start += 1000 {
			if _, err := s.Store.DB.Collection(coll).InsertMany(ctx, docs[start:min(start+1000, len(docs))]); err != nil {
				b.Fatal(err)
			}
		}
	}
	u, _ := s.Accounts.User(ctx, uid)
	window := func() (time.Time, time.Time) {
		from, to, _ := crm.InsightWindow(nil, nil, s.Clock.Now())
		return from, to
	}
	b.Run("Compute", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			from, to := window()
			if _, err := s.CRM.Insights(ctx, u, from, to); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AfterWrite", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s.MustCreate(b, tok, "/v1/events/e001/encounters", map[string]any{"contact_id": fmt.Sprintf("c%05d", i%5000),
				"moment": "after_talk", "topics": []string{"go"}, "followup": false})
			b.StartTimer()
			MustStatus(b, s.Do(b, "GET", "/v1/insights", tok, nil), 200)
		}
	})
	b.Run("Cached", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			MustStatus(b, s.Do(b, "GET", "/v1/insights", tok, nil), 200)
		}
	})
}

// BenchmarkCard measures the public card through the HTTP stack on the
// embedded store: a view of /c/{id} (the page with a fresh form token) and
// a visitor leaving details (a view, then the post: a new contact met at
// the event, moment from its talks, thank-you scheduled). The limits are
// raised so that one address can load it.
// Run: go test ./pkg/api -run '^$' -bench Card -benchtime 2000x
func BenchmarkCard(b *testing.B) {
	unlimited := func(_ *api.Deps, w *web.Deps) {
		w.CardLimits = web.CardLimits{ViewsPerIP: 1 << 30, PostsPerIP: 1 << 30, PostsPerCard: 1 << 30}
	}
	for _, clients := range []int{1, 16} {
		s := MustServe(b, unlimited)
		_, tok := s.MustSignup(b, "ada@example.com")
		ev := s.MustCreateEvent(b, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T16:00:00Z",
			"talks": []map[string]any{{"title": "Generics", "starts_at": "2026-11-24T16:30:00Z"}}})
		r := s.Do(b, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true, "headline": "Go", "links": []string{"https://example.com"}}})
		MustStatus(b, r, 200)
		png := s.Do(b, "GET", "/v1/me/card.png?event_id="+ev, tok, nil)
		MustStatus(b, png, 200)
		cardURL := strings.Replace(png.Header.Get("X-Card-URL"), "http://rapport.test", s.URL, 1)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		view := func() (string, error) {
			req, _ := http.NewRequest("GET", cardURL, nil)
			page, err := fetch(client, req, 200)
			return string(page), err
		}
		b.Run(fmt.Sprintf("View/clients=%d", clients), func(b *testing.B) {
			runConcurrent(b, clients, func(int) error { _, err := view(); return err })
		})
		b.Run(fmt.Sprintf("LeaveDetails/clients=%d", clients), func(b *testing.B) {
			runConcurrent(b, clients, func(int) error {
				page, err := view()
				if err != nil {
					return err
				}
				m := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(page)
				ref := regexp.MustCompile(`name="e" value="([^"]+)"`).FindStringSubmatch(page)
				if m == nil || ref == nil {
					return fmt.Errorf("no form on the card page")
				}
				n := benchSeq.Add(1)
				form := url.Values{"t": {m[1]}, "e": {ref[1]}, "name": {fmt.Sprint("Visitor ", n)}, "email": {fmt.Sprintf("v%d@example.com", n)},
					"company": {"Acme"}, "note": {"Loved the talk"}, "consent": {"yes"}}
				resp, err := client.PostForm(strings.SplitN(cardURL, "?", 2)[0], form)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					return fmt.Errorf("leave details: status %d", resp.StatusCode)
				}
				return nil
			})
		})
	}
}

// BenchmarkPlanB: warm paths into a company and insights with the pipeline,
// on the embedded store, for an account of 50,000 contacts at 5,000
// companies (10 each), 500 events with 50,000 encounters, 2,000 intros
// and 1,000 opportunities, seeded straight into the stores in a few
// transactions. Paths is the whole HTTP answer for a random company;
// Insights computes them (the HTTP cache is bypassed). The encounters are
// spread over three years (RAPPORT_BENCH_DENSE=1: over 35 days, all in the
// insights window).
// Run: go test ./pkg/api -run '^$' -bench PlanB -benchtime 200x
func BenchmarkPlanB(b *testing.B) {
	spread := 30 * time.Minute
	if os.Getenv("RAPPORT_BENCH_DENSE") == "1" {
		spread = time.Minute
	}
	a := newBenchAccount(b)
	s, uid, tok, now, ctx := a.s, a.uid, a.tok, a.now, context.Background()
	const nCompanies, nContacts, nEvents, nEncounters, nIntros, nOpps = 5000, 50000, 500, 50000, 2000, 1000
	coID := func(i int) string { return fmt.Sprintf("co%05d", i) }
	a.seed("companies", nCompanies, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Companies.CreateCompany(ctx, &companies.Company{ID: coID(i), UserID: uid, Name: fmt.Sprint("Company ", i),
			Domain: fmt.Sprintf("company%d.example", i), Tags: []string{}, CreatedAt: now, UpdatedAt: now})
	})
	a.contacts(nContacts, func(i int) *contacts.Contact {
		last := now.Add(-time.Duration(i%300) * time.Hour)
		return &contacts.Contact{ID: benchContactID(i), UserID: uid, Name: fmt.Sprint("Person ", i), Emails: []string{fmt.Sprintf("p%d@mail.example", i)},
			Phones: []string{}, Tags: []string{}, Company: fmt.Sprint("Company ", i%nCompanies), CompanyID: coID(i % nCompanies),
			LastContactedAt: &last, CreatedAt: now, UpdatedAt: now}
	})
	a.events(nEvents, func(i int, e *events.Event) { e.Title = fmt.Sprint("Meetup ", i) })
	a.seed("encounters", nEncounters, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("en%06d", i), UserID: uid, EventID: benchEventID((i * 7) % nEvents),
			ContactID: benchContactID((i * 13) % nContacts), Moment: "after_talk", MetAt: now.Add(-time.Duration(i) * spread), Topics: []string{}, CreatedAt: now})
	})
	a.seed("intros", nIntros, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Contacts.CreateIntro(ctx, &contacts.Intro{ID: fmt.Sprintf("in%05d", i), UserID: uid,
			ContactIDs: []string{benchContactID(i * 11 % nContacts), benchContactID(i * 17 % nContacts)}, Status: "made", CreatedAt: now, UpdatedAt: now})
	})
	a.seed("opportunities", nOpps, func(ctx context.Context, st crm.Stores, i int) error {
		at := now.Add(-time.Duration(i) * time.Hour)
		return st.Opportunities.CreateOpportunity(ctx, &opportunities.Opportunity{ID: fmt.Sprintf("op%05d", i), UserID: uid, Title: fmt.Sprint("Role ", i),
			CompanyID: coID(i * 3 % nCompanies), Kind: "job", Stage: opportunities.Stages[i%len(opportunities.Stages)], SourceContactID: benchContactID(i * 29 % nContacts),
			SourceEventID: benchEventID(i % nEvents), RecruiterIDs: []string{benchContactID(i * 31 % nContacts)}, History: []opportunities.StageChange{{Stage: "lead", At: at}},
			CreatedAt: at, UpdatedAt: at})
	})
	b.Run("Paths", func(b *testing.B) {
		client := &http.Client{}
		runConcurrent(b, 1, func(i int) error {
			body, err := fetch(client, mustRequest("GET", s.URL+"/v1/companies/"+coID((i*97)%nCompanies)+"/paths", tok), 200)
			if err == nil && !bytes.Contains(body, []byte(`"works_there":true`)) {
				err = fmt.Errorf("paths: %.200s", body)
			}
			return err
		})
	})
	u, _ := s.Accounts.User(ctx, uid)
	b.Run("Insights", func(b *testing.B) {
		runConcurrent(b, 1, func(int) error {
			from, to, _ := crm.InsightWindow(nil, nil, s.Clock.Now())
			ins, err := s.CRM.Insights(ctx, u, from, to)
			if err == nil && ins.Pipeline.ByStage["lead"] == 0 {
				err = fmt.Errorf("no pipeline: %+v", ins.Pipeline)
			}
			return err
		})
	})
}

// benchAccount is one user's account for a benchmark, written straight to
// the embedded stores of a served SQLite server.
type benchAccount struct {
	b        *testing.B
	s        *TestServer
	uid, tok string
	now      time.Time
}

func newBenchAccount(b *testing.B) *benchAccount {
	s := mustServeSQLite(b, b.TempDir())
	uid, tok := s.MustSignup(b, "ada@example.com")
	return &benchAccount{b: b, s: s, uid: uid, tok: tok, now: record.Time(s.Clock.Now())}
}

// The ids of a benchmark account's contacts and events, by number.
func benchContactID(i int) string { return fmt.Sprintf("ct%06d", i) }
func benchEventID(i int) string   { return fmt.Sprintf("ev%04d", i) }

// seed writes n records with write, in one transaction, or fails the
// benchmark.
func (a *benchAccount) seed(what string, n int, write func(ctx context.Context, st crm.Stores, i int) error) {
	err := a.s.SQL.Work(context.Background(), func(ctx context.Context, tx crm.Tx) error {
		st := tx.Stores()
		for i := 0; i < n; i++ {
			if err := write(ctx, st, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		a.b.Fatalf("seed %s: %v", what, err)
	}
}

// contacts imports n contacts made by mk, a thousand to a call as an
// import does.
func (a *benchAccount) contacts(n int, mk func(i int) *contacts.Contact) {
	a.seed("contacts", (n+999)/1000, func(ctx context.Context, st crm.Stores, chunk int) error {
		var batch []*contacts.Contact
		for i := chunk * 1000; i < min(n, chunk*1000+1000); i++ {
			batch = append(batch, mk(i))
		}
		_, err := st.Contacts.ImportContacts(ctx, batch)
		return err
	})
}

// events stores n meetups a week apart going back (benchEventID(i)), each
// adjusted by fill.
func (a *benchAccount) events(n int, fill func(i int, e *events.Event)) {
	a.seed("events", n, func(ctx context.Context, st crm.Stores, i int) error {
		t := a.now.Add(-time.Duration(i*7) * time.Hour)
		e := &events.Event{ID: benchEventID(i), UserID: a.uid, Kind: "meetup", StartsAt: t, EndsAt: t.Add(2 * time.Hour), Timezone: "UTC",
			Tags: []string{}, Talks: []events.Talk{}, Status: "attended", CreatedAt: a.now, UpdatedAt: a.now}
		fill(i, e)
		return st.Events.CreateEvent(ctx, e)
	})
}

// fetch sends req with client and reads the answer, an error unless its
// status is want.
func fetch(client *http.Client, req *http.Request, want int) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != want {
		err = fmt.Errorf("%s %s: %d, want %d: %.300s", req.Method, req.URL.Path, resp.StatusCode, want, body)
	}
	return body, err
}

func mustRequest(method, url, token string) *http.Request {
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}
