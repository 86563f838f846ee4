package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/pkg/enginetest"
)

// TestDeskLayoutAtBothWidths loads today, the follow-ups, an event, a contact, the
// pipeline and insights of a lived-in account at a desk's 1,280 px and a
// phone's 390 px: at the desk the navigation is a sidebar beside the page,
// on the phone a bar above it, and at neither width does a page scroll
// sideways. With RAPPORT_UPDATE_SCREENSHOTS=1 each page is screenshotted
// (docs/screenshots/desk-<page>-<width>.png, for the README).
func TestDeskLayoutAtBothWidths(t *testing.T) {
	t.Parallel()
	if enginetest.Mongo() {
		t.Skip("run on SQLite: the pages' markup is the same on either engine")
	}
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	contact, event := seedLivedIn(t, s, tok)
	ctx := deskBrowser(t, s, "ada@example.com", tok)
	shot := screenshotter(t)
	pages := []struct{ name, path string }{
		{"today", "/app/today"}, {"followups", "/app/followups"}, {"event", "/app/events/" + event}, {"contact", "/app/contacts/" + contact},
		{"pipeline", "/app/pipeline"}, {"insights", "/app/insights"},
		{"contacts", "/app/contacts"}, {"events", "/app/events"}, {"companies", "/app/companies"}, {"intros", "/app/intros"},
		{"import", "/app/import"}, {"settings", "/app/settings"},
	}
	for _, width := range []int64{1280, 390} {
		if err := chromedp.Run(ctx, emulation.SetDeviceMetricsOverride(width, 900, 1, width < 1024)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			var layout struct {
				ScrollWidth, ClientWidth float64
				NavLeft, NavTop          float64
				NavWidth, NavHeight      float64
				MainLeft, MainTop        float64
			}
			err := chromedp.Run(ctx,
				chromedp.Navigate(s.URL+p.path),
				chromedp.WaitVisible(`main h1`, chromedp.ByQuery),
				chromedp.Evaluate(`(function () {
					var h = document.querySelector("header").getBoundingClientRect(), m = document.querySelector("main").getBoundingClientRect();
					return {ScrollWidth: document.documentElement.scrollWidth, ClientWidth: document.documentElement.clientWidth,
						NavLeft: h.left, NavTop: h.top, NavWidth: h.width, NavHeight: h.height, MainLeft: m.left, MainTop: m.top};
				})()`, &layout),
				shot(fmt.Sprintf("desk-%s-%d", p.name, width)),
			)
			if err != nil {
				t.Fatalf("%s at %d px: %v", p.path, width, err)
			}
			if layout.ScrollWidth > layout.ClientWidth+1 {
				t.Errorf("%s at %d px scrolls sideways: %v wide in %v", p.path, width, layout.ScrollWidth, layout.ClientWidth)
			}
			sidebar := layout.MainLeft >= layout.NavLeft+layout.NavWidth-1 && layout.MainTop < layout.NavTop+layout.NavHeight
			if width >= 1024 && !sidebar {
				t.Errorf("%s at %d px: the navigation is not a sidebar: %+v", p.path, width, layout)
			}
			if width < 1024 && (sidebar || layout.MainTop < layout.NavTop+layout.NavHeight-1) {
				t.Errorf("%s at %d px: the navigation is not a bar above the page: %+v", p.path, width, layout)
			}
			if p.name == "today" || p.name == "followups" {
				followUpRow(t, ctx, width)
			}
		}
	}
}

// followUpRow checks the first follow-up on the page: at the desk its
// Done button sits beside its title, on the phone below it across the
// card (each follow-up took 110 px of a desk's height with the button
// across it under the note).
func followUpRow(t *testing.T, ctx context.Context, width int64) {
	t.Helper()
	var r struct{ TitleRight, TitleBottom, ButtonLeft, ButtonTop, ButtonWidth, CardWidth float64 }
	err := chromedp.Run(ctx, chromedp.Evaluate(`(function () {
		var li = document.querySelector("li.row"), ti = li.querySelector("strong").getBoundingClientRect(), b = li.querySelector(".actions button").getBoundingClientRect();
		return {TitleRight: ti.right, TitleBottom: ti.bottom, ButtonLeft: b.left, ButtonTop: b.top, ButtonWidth: b.width, CardWidth: li.getBoundingClientRect().width};
	})()`, &r))
	if err != nil {
		t.Fatal(err)
	}
	beside := r.ButtonLeft >= r.TitleRight && r.ButtonTop < r.TitleBottom && r.ButtonWidth < r.CardWidth/3
	if width >= 1024 && !beside {
		t.Errorf("at %d px a follow-up's Done button is not beside its title: %+v", width, r)
	}
	if width < 1024 && (beside || r.ButtonTop < r.TitleBottom) {
		t.Errorf("at %d px a follow-up's Done button is not below its title: %+v", width, r)
	}
}

// seedLivedIn fills an account the way six months of meetups do: events
// with talks, people met before and after them with topics, an intro,
// follow-ups due, opportunities in several stages. It returns a contact
// met several times and the latest event.
func seedLivedIn(t *testing.T, s *server, tok string) (contact, event string) {
	t.Helper()
	people := []map[string]any{
		{"name": "Jane Doe", "company": "Acme", "title": "CTO", "emails": []string{"jane@acme.example"}, "tags": []string{"go", "hiring"}},
		{"name": "Bob Smith", "company": "Initech", "title": "Staff engineer"},
		{"name": "Chloé Martin", "company": "Globex", "title": "Engineering manager", "tags": []string{"rust"}},
		{"name": "Dev Patel", "company": "Acme", "title": "Recruiter"},
		{"name": "Eun-ji Kim", "company": "Hooli", "title": "Founder", "tags": []string{"investor"}},
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = s.create(t, tok, "/v1/contacts", p)
	}
	topics := [][]string{{"go", "wasm"}, {"rust", "wasm"}, {"llm", "go"}, {"observability", "llm"}, {"wasm", "llm", "go"}, {"llm", "rag"}}
	start := time.Date(2026, 6, 10, 18, 0, 0, 0, time.UTC)
	for m := 0; m < 6; m++ {
		at := start.AddDate(0, m, 0)
		event = s.create(t, tok, "/v1/events", map[string]any{
			"title": fmt.Sprintf("Go Meetup #%d", 40+m), "starts_at": at.Format(time.RFC3339), "location": "Berlin",
			"tags":  []string{"go"},
			"talks": []map[string]any{{"title": "Profiling in production", "speaker": "Rob Pike"}, {"title": "WASM at the edge", "speaker": "Chloé Martin"}},
		})
		for i, id := range ids {
			if (i+m)%2 == 1 && i != 0 {
				continue
			}
			moment := []string{"before_talk", "after_talk"}[i%2]
			s.api(t, "POST", "/v1/events/"+event+"/encounters", tok, map[string]any{
				"contact_id": id, "moment": moment, "met_at": at.Add(time.Duration(30+10*i) * time.Minute).Format(time.RFC3339),
				"topics": topics[(m+i)%len(topics)], "notes": "Wants the flame-graph notes",
			}, 201, nil)
		}
	}
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{ids[0], ids[2]}, "context": "Both hiring for WASM", "double_opt_in": true})
	s.create(t, tok, "/v1/followups", map[string]any{"contact_id": ids[4], "due_at": "2026-11-25T09:00:00Z", "note": "Send the deck"})
	for i, stage := range []string{"lead", "applied", "interviewing", "offer"} {
		s.create(t, tok, "/v1/opportunities", map[string]any{"title": []string{"Staff engineer", "Platform lead", "Advisor", "Head of DX"}[i],
			"stage": stage, "source_contact_id": ids[i], "source_event_id": event, "next_step": "Call back"})
	}
	return ids[0], event
}
