package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/crm"
)

// TestInsightsLedgerMatchesPipelines drives an account through every kind
// of write the API has, in a random order, with the ledger built before the
// first write so that only the services' reports keep it current, and
// checks after each few steps that the ledger counts exactly what the
// aggregation pipelines count, over several windows.
func TestInsightsLedgerMatchesPipelines(t *testing.T) {
	s := MustServe(t, openSignup)
	uid, tok := s.MustSignup(t, "ada@example.com")
	_, other := s.MustSignup(t, "eve@example.com")
	ctx := t.Context()
	u, err := s.Accounts.User(ctx, uid)
	if err != nil {
		t.Fatal(err)
	}
	if !s.CRM.SoleWriter {
		t.Fatal("the test server should count insights from the ledger")
	}
	rng := rand.New(rand.NewPCG(7, 9))
	topics := []string{"Go", "rust", "AI", " wasm ", "k8s", "LLM"}
	speakers := []string{"Rob Pike", "rob pike", "Ada", " Grace ", ""}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	someTime := func() string { // within the last 200 days or the next 20
		return s.Clock.Now().Add(time.Duration(rng.IntN(220*24)-200*24) * time.Hour).Format(time.RFC3339)
	}
	var evs, cts, encs, intros []string
	drop := func(xs *[]string, i int) { (*xs)[i] = (*xs)[len(*xs)-1]; *xs = (*xs)[:len(*xs)-1] }
	ok := func(r *Response, codes ...int) *Response {
		t.Helper()
		for _, c := range codes {
			if r.Status == c {
				return r
			}
		}
		t.Fatalf("status %d: %s", r.Status, r.Body)
		return nil
	}
	event := func() map[string]any {
		return map[string]any{"title": "Meetup", "starts_at": someTime(), "tags": []string{pick(topics), pick(topics)},
			"talks": []map[string]any{{"title": "On #" + pick(topics), "speaker": pick(speakers)}, {"title": "Panel", "speaker": pick(speakers)}}}
	}
	pendingFollowups := func() []string {
		var page struct {
			Items []struct{ ID string }
		}
		json.Unmarshal(ok(s.Do(t, "GET", "/v1/followups?status=pending&limit=200", tok, nil), 200).Body, &page)
		ids := make([]string, len(page.Items))
		for i, f := range page.Items {
			ids[i] = f.ID
		}
		return ids
	}
	ops := []struct {
		name string
		do   func()
	}{
		{"create event", func() { evs = append(evs, s.MustCreateEvent(t, tok, event())) }},
		{"update event", func() {
			if len(evs) > 0 {
				ok(s.Do(t, "PATCH", "/v1/events/"+evs[rng.IntN(len(evs))], tok, event()), 200)
			}
		}},
		{"delete event", func() {
			if len(evs) > 1 {
				i := rng.IntN(len(evs))
				ok(s.Do(t, "DELETE", "/v1/events/"+evs[i], tok, nil), 204)
				drop(&evs, i)
			}
		}},
		{"log encounter", func() {
			if len(evs) == 0 {
				return
			}
			body := map[string]any{"moment": "after_talk", "met_at": someTime(), "topics": []string{pick(topics), pick(topics)}}
			if len(cts) > 0 && rng.IntN(2) == 0 {
				body["contact_id"] = cts[rng.IntN(len(cts))]
			} else {
				n := rng.IntN(40) // a known email now and then: the contact is reused
				body["contact"] = map[string]any{"name": fmt.Sprint("P", n), "emails": []string{fmt.Sprintf("p%d@example.com", n)},
					"cadence_days": []int{0, 0, 30, 90}[rng.IntN(4)]}
			}
			r := s.MustCreate(t, tok, "/v1/events/"+evs[rng.IntN(len(evs))]+"/encounters", body)
			encs = append(encs, r["encounter"].(map[string]any)["id"].(string))
			id := r["contact"].(map[string]any)["id"].(string)
			for _, c := range cts {
				if c == id {
					return
				}
			}
			cts = append(cts, id)
		}},
		{"delete encounter", func() {
			if len(encs) > 0 {
				i := rng.IntN(len(encs))
				ok(s.Do(t, "DELETE", "/v1/encounters/"+encs[i], tok, nil), 204, 404) // 404: gone with its event or contact
				drop(&encs, i)
			}
		}},
		{"create contact", func() {
			r := s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": fmt.Sprint("C", rng.IntN(1000)), "cadence_days": 7 * rng.IntN(5)})
			var c struct{ ID string }
			json.Unmarshal(ok(r, 201).Body, &c)
			cts = append(cts, c.ID)
		}},
		{"update contact", func() {
			if len(cts) > 0 {
				ok(s.Do(t, "PATCH", "/v1/contacts/"+cts[rng.IntN(len(cts))], tok,
					map[string]any{"name": fmt.Sprint("Renamed ", rng.IntN(100)), "cadence_days": 7 * rng.IntN(5)}), 200)
			}
		}},
		{"delete contact", func() {
			if len(cts) > 2 {
				i := rng.IntN(len(cts))
				ok(s.Do(t, "DELETE", "/v1/contacts/"+cts[i], tok, nil), 204)
				drop(&cts, i)
			}
		}},
		{"intro", func() {
			if len(cts) < 2 {
				return
			}
			a, b := rng.IntN(len(cts)), rng.IntN(len(cts))
			if a == b {
				return
			}
			r := s.MustCreate(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{cts[a], cts[b]}, "double_opt_in": rng.IntN(2) == 0})
			intros = append(intros, r["id"].(string))
		}},
		{"move intro", func() {
			if len(intros) > 0 {
				ok(s.Do(t, "PATCH", "/v1/intros/"+intros[rng.IntN(len(intros))], tok, map[string]any{"status": pick([]string{"accepted", "made", "declined"})}), 200, 404, 409, 422)
			}
		}},
		{"interaction", func() {
			if len(cts) > 0 {
				ok(s.Do(t, "POST", "/v1/contacts/"+cts[rng.IntN(len(cts))]+"/interactions", tok, map[string]any{"kind": "call", "at": someTime()}), 201, 422)
			}
		}},
		{"custom follow-up", func() {
			if len(cts) > 0 {
				s.MustCreate(t, tok, "/v1/followups", map[string]any{"contact_id": cts[rng.IntN(len(cts))], "due_at": someTime()})
			}
		}},
		{"end follow-up", func() {
			if ids := pendingFollowups(); len(ids) > 0 {
				id := ids[rng.IntN(len(ids))]
				switch rng.IntN(4) {
				case 0:
					ok(s.Do(t, "DELETE", "/v1/followups/"+id, tok, nil), 204)
				case 1:
					ok(s.Do(t, "POST", "/v1/followups/"+id+"/snooze", tok, map[string]any{"days": 3}), 200)
				case 2:
					ok(s.Do(t, "PATCH", "/v1/followups/"+id, tok, map[string]any{"due_at": someTime()}), 200)
				default:
					ok(s.Do(t, "POST", "/v1/followups/"+id+"/done", tok, nil), 200)
				}
			}
		}},
		{"import contacts", func() {
			csv := fmt.Sprintf("name,email,tags\nImported %d,p%d@example.com,x\nNew %d,new%d@example.com,y\n", rng.IntN(99), rng.IntN(40), rng.IntN(1e6), rng.IntN(1e6))
			ok(s.upload(t, "/v1/contacts/import", tok, "text/csv", []byte(csv)), 200)
		}},
		{"time passes", func() { s.Clock.Add(time.Duration(rng.IntN(72)) * time.Hour) }},
		{"clock steps back", func() { s.Clock.Add(-time.Duration(rng.IntN(48)) * time.Hour) }},
		{"another user writes", func() {
			e := s.MustCreateEvent(t, other, event())
			s.MustCreate(t, other, "/v1/events/"+e+"/encounters", map[string]any{"contact": map[string]any{"name": "x"}, "moment": "other",
				"met_at": someTime(), "topics": []string{pick(topics)}})
		}},
	}

	// check compares the ledger with the pipelines for u over three windows
	// and returns the ledger's answer for the widest.
	check := func(u *accounts.User, step string) (led *crm.Insights) {
		t.Helper()
		now := s.Clock.Now()
		for _, w := range [][2]time.Time{
			{now.Add(-crm.DefaultInsightWindow), now},
			{now.Add(-30 * 24 * time.Hour), now.Add(10 * 24 * time.Hour)},
			{now.Add(-400 * 24 * time.Hour), now.Add(30 * 24 * time.Hour)},
		} {
			var err error
			led, err = s.CRM.Insights(ctx, u, w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			pipe, err := s.CRM.InsightsFromStore(ctx, u, w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(led)
			b, _ := json.Marshal(pipe)
			if string(a) != string(b) {
				t.Fatalf("after %s, window %v–%v:\nledger    %s\npipelines %s", step, w[0], w[1], a, b)
			}
		}
		return led
	}
	check(u, "nothing") // builds the (empty) ledger: from here on only reports keep it current
	counts := map[string]int{}
	for i := 0; i < 160; i++ {
		op := ops[rng.IntN(len(ops))]
		op.do()
		counts[op.name]++
		if i%8 == 7 {
			check(u, op.name)
		}
	}
	check(u, "the end")
	for _, op := range ops {
		if counts[op.name] == 0 {
			t.Errorf("the random walk never did %q; change the seed", op.name)
		}
	}

	t.Run("OK_Warmed", func(t *testing.T) {
		s.CRM.Forget(uid)
		if err := s.CRM.WarmInsights(ctx, []string{uid, "nobody"}); err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			if op.name == "log encounter" {
				for i := 0; i < 5; i++ { // reports keep a warmed ledger current too
					op.do()
				}
			}
		}
		check(u, "warm-up and five encounters")
	})
	t.Run("OK_WritesDuringBuild", func(t *testing.T) {
		s.CRM.Forget(uid)
		now := s.Clock.Now()
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 5; i++ {
					r := s.Do(t, "POST", "/v1/events/"+evs[0]+"/encounters", tok, map[string]any{"contact": map[string]any{"name": fmt.Sprint("G", g, "-", i)},
						"moment": "other", "met_at": now.Add(-time.Duration(i) * time.Hour).Format(time.RFC3339), "topics": []string{"concurrency"}})
					if r.Status != 201 {
						t.Errorf("status %d: %s", r.Status, r.Body)
					}
				}
			}()
		}
		for i := 0; i < 5; i++ { // views that start builds while the writes go on
			if _, err := s.CRM.Insights(ctx, u, now.Add(-time.Hour), now); err != nil {
				t.Fatal(err)
			}
		}
		wg.Wait()
		check(u, "concurrent writes during a build")
	})
	t.Run("OK_RebuiltAfterRestore", func(t *testing.T) {
		backup := ok(s.Do(t, "GET", "/v1/export", tok, nil), 200).Body
		uid2, tok2 := s.MustSignup(t, "restored@example.com")
		u2, _ := s.Accounts.User(ctx, uid2)
		if _, err := s.CRM.Insights(ctx, u2, s.Clock.Now().Add(-time.Hour), s.Clock.Now()); err != nil {
			t.Fatal(err) // builds an empty ledger, which the restore must drop
		}
		ok(s.Do(t, "POST", "/v1/import", tok2, backup), 200, 201)
		if led := check(u2, "a restore"); len(led.Topics) == 0 {
			t.Fatal("no topics after a restore")
		}
	})
}
