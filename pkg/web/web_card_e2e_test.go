package web_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// TestWebCardAndOfflineEndToEnd drives headless Chromium at 390 px: the
// owner shows their card at tonight's event; a second browser (its own
// context, no shared cookies) opens the card's URL and leaves details; the
// owner has the contact, the encounter and the thank-you. Then the phone
// loses its network: two contacts are logged, wait on the phone, the page
// still opens, and once the network is back exactly two arrive; signed
// out, the pages kept for offline are gone (signedOutOffline). It
// screenshots each new page (RAPPORT_UPDATE_SCREENSHOTS=1 writes them to
// docs/screenshots).
func TestWebCardAndOfflineEndToEnd(t *testing.T) {
	t.Parallel()
	chromium := tooltest.Need(t, "/usr/bin/chromium")
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"name": "Ada Lovelace"}), 200)
	now := s.Clock.Now()
	talk := now.Add(-30 * time.Minute).Format(time.RFC3339)
	eventID := s.MustCreateEvent(t, tok, map[string]any{"title": "Berlin Gophers", "starts_at": now.Add(-time.Hour).Format(time.RFC3339),
		"talks": []map[string]any{{"title": "Generics", "starts_at": talk}}})
	// A guest known by name only, picked from the list offline.
	MustStatus(t, s.Do(t, "POST", "/v1/events/"+eventID+"/attendees/import", tok, map[string]any{"attendees": []map[string]any{{"name": "Gwen Guest", "company": "Initech"}}}), 200)
	guest := s.Do(t, "GET", "/v1/events/"+eventID+"/attendees", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)

	ctx := phoneBrowser(t, chromium, 390, 844, 120*time.Second)
	shot := screenshotter(t)

	// The owner's phone reaches the server through a line that can be cut.
	line := newLineProxy(t, s.URL)
	// The owner signs in and turns the card on; tonight's event is picked.
	var cardURL, selected string
	var qrLoaded bool
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(line.URL+"/app/signup"),
		chromedp.WaitVisible(`#password`, chromedp.ByQuery),
		shot("11-sign-up"),
		chromedp.Navigate(line.URL+"/app/login"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.SendKeys(`#email`, "ada@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`#token`, tok, chromedp.ByQuery),
		chromedp.Submit(`#token`, chromedp.ByQuery),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.Navigate(line.URL+"/app/card"),
		chromedp.Click(`form[action="/app/card/on"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`img.qr`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector("img.qr").complete && document.querySelector("img.qr").naturalWidth > 0`, &qrLoaded),
		chromedp.Value(`#card-url`, &cardURL, chromedp.ByQuery),
		chromedp.Value(`#event_id`, &selected, chromedp.ByQuery),
		shot("6-my-card"),
	)
	if err != nil {
		t.Fatalf("owner's browser: %v", err)
	}
	if selected != eventID || !strings.HasPrefix(cardURL, "http://rapport.test/c/") || !strings.Contains(cardURL, "?e=") {
		t.Fatalf("card page: event %q, URL %q", selected, cardURL)
	}

	// Someone else scans it: a second browser (its own profile and cookies)
	// opens the URL.
	gctx := phoneBrowser(t, chromium, 390, 844, 60*time.Second)
	var thanks string
	err = chromedp.Run(gctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(strings.Replace(cardURL, "http://rapport.test", s.URL, 1)),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "Grace Hopper", chromedp.ByQuery),
		chromedp.SendKeys(`#email`, "grace@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`#company`, "Navy", chromedp.ByQuery),
		chromedp.SendKeys(`#note`, "Let's talk compilers", chromedp.ByQuery),
		chromedp.Click(`input[name=consent]`, chromedp.ByQuery),
		shot("7-their-view-of-my-card"),
		chromedp.Click(`form.card button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &thanks, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("guest's browser: %v", err)
	}
	if !strings.Contains(thanks, "Ada Lovelace has your details") {
		t.Fatalf("guest saw %q", thanks)
	}
	grace := s.Do(t, "GET", "/v1/contacts?q=grace", tok, nil).JSON(t)["items"].([]any)
	if len(grace) != 1 {
		t.Fatalf("contacts named Grace: %d", len(grace))
	}
	graceID := grace[0].(map[string]any)["id"].(string)
	enc := s.Do(t, "GET", "/v1/contacts/"+graceID+"/encounters", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)
	if enc["event_id"] != eventID || enc["moment"] != "during_talk" {
		t.Fatalf("Grace's encounter: %v", enc)
	}
	if fus := s.Do(t, "GET", "/v1/followups?contact_id="+graceID, tok, nil).JSON(t)["items"].([]any); len(fus) == 0 || fus[0].(map[string]any)["kind"] != "thank_you" {
		t.Fatalf("Grace's follow-ups: %v", fus)
	}

	// The scan and settings pages, for the README.
	err = chromedp.Run(ctx,
		chromedp.Navigate(line.URL+"/app/scan"),
		chromedp.WaitVisible(`#photo`, chromedp.ByQuery),
		shot("8-scan"),
		chromedp.Navigate(line.URL+"/app/settings"),
		chromedp.WaitVisible(`#card_headline`, chromedp.ByQuery),
		shot("9-settings"),
	)
	if err != nil {
		t.Fatalf("scan and settings: %v", err)
	}

	// Offline: the service worker takes over the pages first.
	before := countOf(t, s, tok, "/v1/contacts")
	var controlled bool
	var waiting, afterReload, afterOnline string
	logOffline := func(name string) chromedp.Action {
		return chromedp.Tasks{
			chromedp.WaitVisible(`#name`, chromedp.ByQuery),
			chromedp.SetValue(`#name`, name, chromedp.ByQuery),
			chromedp.Click(`input[name=moment][value=after_talk]`, chromedp.ByQuery),
			chromedp.Click(`form.card button[type=submit]`, chromedp.ByQuery),
			chromedp.Poll(`document.getElementById("offline-notice") && document.getElementById("offline-notice").textContent.indexOf(`+jsString(name)+`) >= 0`, nil),
		}
	}
	err = chromedp.Run(ctx,
		chromedp.Navigate(line.URL+"/app"),
		chromedp.Poll(`navigator.serviceWorker.controller !== null`, &controlled, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Reload(), // now fetched through the worker, which keeps a copy
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.ActionFunc(func(context.Context) error { line.setCut(true); return nil }),
		network.EmulateNetworkConditions(true, 0, -1, -1),
		chromedp.Poll(`navigator.onLine === false`, nil),
		logOffline("Offline One"),
		logOffline("Offline Two"),
		// A guest picked, no name typed (refused offline before).
		chromedp.Evaluate(`document.getElementById("name").value = ""; document.getElementById("attendee_id").value = `+jsString(guest), nil),
		chromedp.Click(`input[name=moment][value=after_talk]`, chromedp.ByQuery),
		chromedp.Click(`form.card button[type=submit]`, chromedp.ByQuery),
		chromedp.Poll(`document.getElementById("offline-notice").textContent.indexOf("Saved on this phone: Gwen Guest · Initech.") >= 0`, nil),
		chromedp.Poll(`document.getElementById("outbox").dataset.count === "3"`, nil),
		chromedp.Text(`#outbox`, &waiting, chromedp.ByQuery),
		shot("10-offline"),
		chromedp.Reload(), // no network: the page opens from the worker's copy
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.Poll(`document.getElementById("outbox").dataset.count === "3"`, nil),
		chromedp.Text(`#outbox`, &afterReload, chromedp.ByQuery),
		chromedp.ActionFunc(func(context.Context) error { line.setCut(false); return nil }),
		network.EmulateNetworkConditions(false, 0, -1, -1),
		chromedp.Poll(`document.getElementById("outbox").dataset.count === "0"`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Text(`main`, &afterOnline, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("offline: %v", err)
	}
	if !strings.Contains(waiting, "3 contacts wait on this phone") || !strings.Contains(afterReload, "3 contacts wait") {
		t.Fatalf("waiting: %q; after reloading offline: %q", waiting, afterReload)
	}
	if !strings.Contains(afterOnline, "Sent 3 contacts logged offline.") {
		t.Errorf("after the network came back: %q", afterOnline)
	}
	if got := countOf(t, s, tok, "/v1/contacts"); got != before+3 {
		t.Fatalf("contacts: %d before, %d after; want exactly three more", before, got)
	}
	for _, q := range []string{"Offline%20One", "Offline%20Two", "Gwen%20Guest"} {
		items := s.Do(t, "GET", "/v1/contacts?q="+q, tok, nil).JSON(t)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("%s: %d contacts", q, len(items))
		}
		if n := countOf(t, s, tok, "/v1/contacts/"+items[0].(map[string]any)["id"].(string)+"/encounters"); n != 1 {
			t.Fatalf("%s: %d encounters", q, n)
		}
	}
	signedOutOffline(t, ctx, line)
}

// signedOutOffline ends the owner's session without the sign-out button
// (its script empties the worker's cache): the session is over (its
// cookie gone, as when it expires or is ended elsewhere) and the next page
// leads to the sign-in page. The pages the service worker kept for
// offline go then too, so that offline, whoever holds the phone next sees
// no page of the owner's — the settings page they opened (their name and
// email) is the offline notice.
func signedOutOffline(t *testing.T, ctx context.Context, line *lineProxy) {
	var left, settings string
	kept := `caches.open("rapport-pages-v1").then(c => c.keys()).then(ks => ks.map(r => new URL(r.url).pathname).filter(p => !p.startsWith("/app/static/")).join(" "))`
	awaited := func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }
	err := chromedp.Run(ctx,
		chromedp.Navigate(line.URL+"/app/settings"),
		chromedp.WaitVisible(`#card_headline`, chromedp.ByQuery),
		chromedp.Evaluate(kept, &left, awaited),
	)
	if err != nil || !strings.Contains(left, "/app/settings") {
		t.Fatalf("kept before signing out: %q, %v", left, err)
	}
	err = chromedp.Run(ctx,
		network.ClearBrowserCookies(),
		chromedp.Navigate(line.URL+"/app/today"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error { // the worker's purge, which the sign-in page set off
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if err := chromedp.Evaluate(kept, &left, awaited).Do(ctx); err != nil || left == "" || time.Now().After(deadline) {
					return err
				}
			}
		}),
		chromedp.ActionFunc(func(context.Context) error { line.setCut(true); return nil }),
		network.EmulateNetworkConditions(true, 0, -1, -1),
		chromedp.Navigate(line.URL+"/app/settings"),
		chromedp.WaitVisible(`main`, chromedp.ByQuery),
		chromedp.Text(`main`, &settings, chromedp.ByQuery),
		network.EmulateNetworkConditions(false, 0, -1, -1),
	)
	if err != nil {
		t.Fatalf("signed out, offline: %v", err)
	}
	if left != "" || strings.Contains(settings, "ada@example.com") || !strings.Contains(settings, "was not opened on this phone") {
		t.Fatalf("signed out, the worker kept %q and shows offline: %q", left, settings)
	}
}

// lineProxy is the phone's network: a TCP proxy in front of the server
// that can be cut, so that nothing the browser sends — the pages' requests
// nor the service worker's (which Chromium's network emulation does not
// reach) — gets through.
type lineProxy struct {
	URL   string
	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
}

func newLineProxy(t *testing.T, backend string) *lineProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &lineProxy{URL: "http://" + ln.Addr().String(), conns: map[net.Conn]bool{}}
	target := strings.TrimPrefix(backend, "http://")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

// setCut cuts the line (closing every open connection) or mends it.
func (p *lineProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			c.Close()
		}
		p.conns = map[net.Conn]bool{}
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
