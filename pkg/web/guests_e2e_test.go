package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport-crm/rapport/pkg/tooltest"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestGuestFinderInABrowser drives headless Chromium through the log
// form of an event whose guest list is longer than the form offers: the
// finder's box sits inside the log form but belongs to a form of its own
// (its form attribute), so Enter in it reloads the list from the name
// typed, not the log form; the guest found is picked and logged.
func TestGuestFinderInABrowser(t *testing.T) {
	t.Parallel()
	chromium := tooltest.Need(t, "/usr/bin/chromium")
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "GopherCon", "starts_at": s.Clock.Now().Add(-time.Hour).Format(time.RFC3339)})
	var guests []map[string]any
	for i := range web.LogGuests + 20 {
		guests = append(guests, map[string]any{"name": fmt.Sprintf("Guest %03d", i)})
	}
	guests = append(guests, map[string]any{"name": "Zoë Quinn", "company": "Initech", "email": "zoe@initech.example"})
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": guests}), 200)

	ctx := phoneBrowser(t, chromium, 390, 844, 60*time.Second)
	var notice string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(s.URL+"/app/login"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.SendKeys(`#email`, "ada@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`#token`, tok, chromedp.ByQuery),
		chromedp.Submit(`#token`, chromedp.ByQuery),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.Navigate(s.URL+"/app?event_id="+ev),
		chromedp.WaitVisible(`#guests_from`, chromedp.ByQuery),
		chromedp.SendKeys(`#guests_from`, "zo"+kb.Enter, chromedp.ByQuery),
		// The page again, the name typed in its box as sent.
		chromedp.WaitVisible(`#guests_from[value="zo"]`, chromedp.ByQuery),
		chromedp.Poll(`location.search.indexOf("guests_from=zo") >= 0 && document.querySelector("#attendee_id option:nth-child(2)").text === "Zoë Quinn · Initech"`, nil),
		chromedp.Evaluate(`document.getElementById("attendee_id").selectedIndex = 1`, nil),
		chromedp.Click(`input[name=moment][value=after_talk]`, chromedp.ByQuery),
		chromedp.Click(`form.card > button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if !strings.Contains(notice, "Zoë") {
		t.Errorf("the notice after logging Zoë: %q", notice)
	}
	found := s.Do(t, "GET", "/v1/contacts?q=quinn", tok, nil).JSON(t)["items"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["company"] != "Initech" {
		t.Fatalf("the contact made from the list: %v", found)
	}
}
