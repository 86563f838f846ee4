package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

// BenchmarkDeskPages measures the desk's pages (PRODUCT.md §10: each ≤ 50 ms
// p50) through HTTP with a session, on the embedded store with 50,000
// contacts, 500 events and 100,000 encounters (1,000 opportunities).
func BenchmarkDeskPages(b *testing.B) {
	a := newBenchAccount(b)
	s, uid, now := a.s, a.uid, a.now
	const nContacts, nEvents, nEncounters, nOpps = 50000, 500, 100000, 1000
	t0 := time.Now()
	a.contacts(nContacts, func(i int) *contacts.Contact {
		return &contacts.Contact{ID: benchContactID(i), UserID: uid, Name: benchFirst[i%len(benchFirst)] + " " + benchLast[(i/len(benchFirst))%len(benchLast)],
			Emails: []string{fmt.Sprintf("p%d@mail.example", i)}, Phones: []string{}, Tags: []string{benchTopics[i%len(benchTopics)]},
			Company: fmt.Sprint("Company ", i%5000), CreatedAt: now, UpdatedAt: now}
	})
	a.events(nEvents, func(i int, e *events.Event) { e.Title = fmt.Sprint("Meetup ", i) })
	a.seed("encounters", nEncounters, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("en%06d", i), UserID: uid, EventID: benchEventID((i * 7) % nEvents),
			ContactID: benchContactID((i * 13) % nContacts), Moment: "after_talk", MetAt: now.Add(-time.Duration(i) * time.Minute),
			Topics: []string{benchTopics[i%len(benchTopics)]}, CreatedAt: now})
	})
	a.seed("opportunities", nOpps, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Opportunities.CreateOpportunity(ctx, &opportunities.Opportunity{ID: fmt.Sprintf("op%05d", i), UserID: uid, Title: fmt.Sprint("Role ", i),
			Kind: "job", Stage: opportunities.Stages[i%len(opportunities.Stages)], SourceContactID: benchContactID(i), SourceEventID: benchEventID(i % nEvents),
			RecruiterIDs: []string{}, History: []opportunities.StageChange{}, CreatedAt: now.Add(-time.Duration(i) * time.Hour), UpdatedAt: now})
	})
	b.Logf("seeded in %s", time.Since(t0).Round(time.Millisecond))
	client := deskSession(b, s.URL, "ada@example.com", a.tok)
	pages := []string{"/app/today", "/app/contacts", "/app/contacts?tag=" + benchTopics[0], "/app/contacts?sort=last", "/app/contacts?sort=since", "/app/contacts?sort=since&tag=" + benchTopics[0],
		"/app/contacts/" + benchContactID(13),
		"/app/events", "/app/events/" + benchEventID(7), "/app/companies", "/app/pipeline", "/app/insights", "/app/intros", "/app/followups"}
	// Insights after a write: every view computes them (the cache is
	// keyed by the user's data stamps, which the write moves); only the
	// page is timed.
	b.Run("insights-after-a-write", func(b *testing.B) {
		lat := make([]time.Duration, b.N)
		for i := range b.N {
			resp := s.Do(b, "PATCH", "/v1/contacts/"+benchContactID(i), a.tok, map[string]any{"notes": fmt.Sprint("note ", i)})
			if resp.Status != 200 {
				b.Fatalf("patch: %d", resp.Status)
			}
			t0 := time.Now()
			page, err := client.Get(s.URL + "/app/insights")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, page.Body)
			page.Body.Close()
			lat[i] = time.Since(t0)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50-ms")
	})
	for _, p := range pages {
		name := strings.NewReplacer("/app/", "", "/", "-", "?", "-", "=", "-").Replace(p)
		b.Run(name, func(b *testing.B) {
			runConcurrent(b, 1, func(int) error {
				resp, err := client.Get(s.URL + p)
				if err != nil {
					return err
				}
				defer resp.Body.Close()
				io.Copy(io.Discard, resp.Body)
				if resp.StatusCode != 200 {
					return fmt.Errorf("%s: %d", p, resp.StatusCode)
				}
				return nil
			})
		})
	}
}

// deskSession signs in through the form and returns a client with the
// session cookie.
func deskSession(b *testing.B, base, email, token string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/app/login")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		b.Fatal("no csrf on the sign-in page")
	}
	resp, err = c.PostForm(base+"/app/login", url.Values{"email": {email}, "token": {token}, "csrf": {string(m[1])}})
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("sign in: %v %v", err, resp)
	}
	resp.Body.Close()
	return c
}
