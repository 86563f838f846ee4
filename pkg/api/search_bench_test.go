package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
)

// Words of the search benchmark's account: names with accents, topics
// and a vocabulary for notes, so queries hit hundreds to thousands of
// records as they would in a real account.
var (
	benchFirst = strings.Fields("Ada José Grace Linus Zoë Björn Chloé Amélie Søren Ines Omar Priya Kenji Aiko Lars Maja Tomás Noël Renée Yusuf " +
		"Fatima Hiro Elena Ivan Marta Pablo Sofia Luca Anna Jonas Mia Noah Emma Liam Olga Petra Rui Sven Tara Uma")
	benchLast = strings.Fields("Lovelace Núñez Hopper Torvalds Müller García Dubois Rossi Novák Kowalski Nakamura Singh Öztürk Jensen Silva " +
		"Costa Popescu Horváth Ivanova Fischer Schmidt Moreau Ricci Sato Tanaka Kim Park Chen Wang Li Nguyen Smith Jones Brown Taylor Wilson " +
		"Evans Thomas Roberts Walker White Hall Allen Young King Wright Scott Green Baker Adams")
	benchTopics = strings.Fields("kubernetes golang rust observability flamegraphs pprof postgres sqlite mongodb kafka grpc wasm ebpf terraform " +
		"security hiring mentoring conferences testing fuzzing generics concurrency tracing logging metrics serverless edge caching " +
		"databases networking linux compilers llms embeddings search frontend accessibility design startups funding open-source community")
	benchVocab = strings.Fields("talked about wants slides later intro follow coffee next meetup team job role speaker asked shared notes " +
		"link repo demo project migration incident outage latency budget roadmap launch customer product platform infra data pipeline " +
		"paper book blog podcast workshop recruiter contract remote berlin london paris lisbon madrid warsaw prague vienna zurich amsterdam")
)

// BenchmarkSearch measures GET /v1/search (PRODUCT.md §9) on the embedded
// store with 50,000 contacts and 100,000 encounters, through HTTP, over a
// mix of queries: a name, an accent-folded name, prefixes, a topic, two
// words, a rare word.
func BenchmarkSearch(b *testing.B) {
	a := newBenchAccount(b)
	s, uid, tok, now := a.s, a.uid, a.tok, a.now
	const nContacts, nEvents, nEncounters = 50000, 500, 100000
	pick := func(words []string, i, n int) string {
		out := make([]string, n)
		for k := range out {
			out[k] = words[(i*7+k*13+k*k*i)%len(words)]
		}
		return strings.Join(out, " ")
	}
	t0 := time.Now()
	a.contacts(nContacts, func(i int) *contacts.Contact {
		return &contacts.Contact{ID: benchContactID(i), UserID: uid,
			Name:   benchFirst[i%len(benchFirst)] + " " + benchLast[(i/len(benchFirst))%len(benchLast)],
			Emails: []string{fmt.Sprintf("p%d@mail.example", i)}, Phones: []string{}, Tags: []string{benchTopics[i%len(benchTopics)]},
			Company: fmt.Sprint("Company ", i%5000), Notes: pick(benchVocab, i, 6), CreatedAt: now, UpdatedAt: now}
	})
	a.events(nEvents, func(i int, e *events.Event) {
		e.Title = fmt.Sprint("Meetup ", i)
		e.Talks = []events.Talk{{Title: pick(benchTopics, i, 3), Speaker: benchFirst[i%len(benchFirst)] + " " + benchLast[i%len(benchLast)]}}
	})
	a.seed("encounters", nEncounters, func(ctx context.Context, st crm.Stores, i int) error {
		return st.Contacts.CreateEncounter(ctx, &contacts.Encounter{ID: fmt.Sprintf("en%06d", i), UserID: uid, EventID: benchEventID((i * 7) % nEvents),
			ContactID: benchContactID((i * 13) % nContacts), Moment: "after_talk", MetAt: now.Add(-time.Duration(i) * time.Minute),
			Topics: strings.Fields(pick(benchTopics, i, 2)), Notes: pick(benchVocab, i, 12), CreatedAt: now})
	})
	b.Logf("seeded %d contacts, %d encounters in %s", nContacts, nEncounters, time.Since(t0).Round(time.Millisecond))
	queries := []string{"jose", "nunez", "kube", "flame", "Chloé Dubois", "observability berlin", "lisb", "fuzzing slides", "zurich", "Søren"}
	for _, q := range queries {
		body, err := fetch(http.DefaultClient, mustRequest("GET", s.URL+"/v1/search?q="+url.QueryEscape(q), tok), 200)
		if err != nil || !strings.Contains(string(body), `"type"`) {
			b.Fatalf("search %q: %v %.300s", q, err, body)
		}
	}
	client := &http.Client{}
	b.Run("Mix", func(b *testing.B) {
		runConcurrent(b, 1, func(i int) error {
			_, err := fetch(client, mustRequest("GET", s.URL+"/v1/search?q="+url.QueryEscape(queries[i%len(queries)]), tok), 200)
			return err
		})
	})
	// A word every contact holds ("Company N"), as most of the load
	// generator's words are: the index's longest postings.
	b.Run("EveryContact", func(b *testing.B) {
		runConcurrent(b, 1, func(i int) error {
			_, err := fetch(client, mustRequest("GET", s.URL+"/v1/search?q=company", tok), 200)
			return err
		})
	})
}
