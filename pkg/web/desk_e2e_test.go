package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/tooltest"
	"github.com/rapport-crm/rapport/pkg/web"
)

// The desk in headless Chromium: what a person does with a mouse and a
// keyboard, and axe-core on every page group.

var repoRoot = filepath.Join("..", "..")

// deskBrowser is a headless Chromium at a desk's width, signed in as
// email through the sign-in form.
func deskBrowser(t *testing.T, s *server, email, token string) context.Context {
	t.Helper()
	chromium := tooltest.Need(t, "/usr/bin/chromium")
	// profileDir, not t.TempDir: Chromium may still be writing its profile
	// when the test ends (once, with the page tests side by side, the
	// TempDir's removal found "Default" not empty and failed the test).
	ctx, cancel := chromedp.NewContext(browserAllocator(t, chromium, profileDir(t), 1280, 900))
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/app/login"),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.SendKeys(`#email`, email, chromedp.ByQuery),
		chromedp.SendKeys(`#token`, token, chromedp.ByQuery),
		chromedp.Submit(`#token`, chromedp.ByQuery),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return ctx
}

// TestDeskInChromium edits a contact, makes an intro and moves an
// opportunity by drag and drop, in Chromium, through the pages' own forms
// and script.
func TestDeskInChromium(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme"})
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	opp := s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_contact_id": jane})
	ctx := deskBrowser(t, s, "ada@example.com", tok)

	var afterEdit, afterIntro, column, history string
	err := chromedp.Run(ctx,
		// Edit: change the title and the notes (two lines), save.
		chromedp.Navigate(s.URL+"/app/contacts/"+jane),
		chromedp.Click(`a[href$="/edit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#title`, chromedp.ByQuery),
		chromedp.SendKeys(`#title`, "CTO", chromedp.ByQuery),
		chromedp.SendKeys(`#notes`, "Likes Go\nHates YAML", chromedp.ByQuery),
		chromedp.Click(`form.card button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`main`, &afterEdit, chromedp.ByQuery),
		// Intro: open the section, name Bob, say why, submit.
		chromedp.Click(`#intro summary`, chromedp.ByQuery),
		chromedp.SendKeys(`#other`, "Bob Smith", chromedp.ByQuery),
		chromedp.SendKeys(`#intro-context`, "Both into WASM", chromedp.ByQuery),
		// The page that answers is told from this one (whose timeline
		// holds the opportunity already) by a mark this one has.
		chromedp.Evaluate(`document.body.dataset.before = "intro"`, nil),
		chromedp.Submit(`#other`, chromedp.ByQuery),
		chromedp.WaitVisible(`body:not([data-before]) ol.timeline li`, chromedp.ByQuery),
		chromedp.Text(`main`, &afterIntro, chromedp.ByQuery),
		// Pipeline: drag the card onto the "offer" column. pipeline.js
		// posts the card's form; the page comes back with it moved.
		chromedp.Navigate(s.URL+"/app/pipeline"),
		chromedp.WaitVisible(`#o-`+opp, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`(function () {
			var card = document.getElementById("o-%s"), col = document.querySelector('.column[data-stage="offer"]');
			var dt = new DataTransfer();
			card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
			col.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
			col.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
			return true;
		})()`, opp), nil),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.WaitVisible(`#o-`+opp+` .history`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#o-`+opp+`").closest(".column").dataset.stage`, &column),
		chromedp.Evaluate(`document.querySelector("#o-`+opp+` .history").textContent`, &history),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	// Import LinkedIn's Connections.csv: choose it, read the preview,
	// import, then undo from the list.
	csv, _ := filepath.Abs("testdata/Connections.csv")
	var preview, imported, undone string
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/app/import"),
		chromedp.SetUploadFiles(`#file`, []string{csv}, chromedp.ByQuery),
		chromedp.Click(`form[action="/app/import"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#pv-h`, chromedp.ByQuery),
		chromedp.Text(`main`, &preview, chromedp.ByQuery),
		chromedp.Click(`form[action="/app/import/confirm"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#done-h`, chromedp.ByQuery),
		chromedp.Text(`main`, &imported, chromedp.ByQuery),
		chromedp.Click(`#done-h ~ form button`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#done-h`, chromedp.ByQuery), // the undo's answer: the import page without it
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`.notice`, &undone, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser, import: %v", err)
	}
	if !strings.Contains(preview, "3 new contacts, 0 merged into contacts you have, 1 row combined") {
		t.Errorf("the preview: %q", preview)
	}
	if !strings.Contains(imported, "3 new, 0 merged") {
		t.Errorf("after the import: %q", imported)
	}
	if !strings.Contains(undone, "Undone: 3 contacts removed") {
		t.Errorf("after the undo: %q", undone)
	}
	// Keyboard: "/" goes to the search box, "n" to the new-record page.
	var focused, location string
	err = chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/app/events"),
		chromedp.WaitVisible(`#q`, chromedp.ByQuery),
		chromedp.KeyEvent("/"),
		chromedp.Evaluate(`document.activeElement.id`, &focused),
		chromedp.Evaluate(`document.activeElement.blur()`, nil),
		chromedp.KeyEvent("n"),
		chromedp.WaitVisible(`#starts_at`, chromedp.ByQuery),
		chromedp.Location(&location),
	)
	if err != nil {
		t.Fatalf("browser, shortcuts: %v", err)
	}
	if focused != "q" || !strings.HasSuffix(location, "/app/events/new") {
		t.Errorf("shortcuts: / focused %q, n went to %q", focused, location)
	}
	if !strings.Contains(afterEdit, "Saved Jane Doe.") || !strings.Contains(afterEdit, "Likes Go\nHates YAML") {
		t.Errorf("after the edit: %q", afterEdit)
	}
	if !strings.Contains(afterIntro, "Intro noted.") || !strings.Contains(afterIntro, "Intro to Bob Smith") {
		t.Errorf("after the intro: %q", afterIntro)
	}
	if column != "offer" || !strings.Contains(history, "lead 24 Nov → offer 24 Nov") {
		t.Errorf("after the drag: stage %q, history %q", column, history)
	}
	var got struct{ Title, Notes string }
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &got)
	if got.Title != "CTO" || got.Notes != "Likes Go\nHates YAML" {
		t.Errorf("stored %+v", got)
	}
}

// TestDoubleClickAddsOnce: in Chromium, a double click on a form's button
// that adds something sends the form twice when no script stops the
// second (the second navigation cancels the first, which the server has
// taken already); the new contact is added once all the same, and the
// browser shows the page the first send answered with.
func TestDoubleClickAddsOnce(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ctx := deskBrowser(t, s, "ada@example.com", tok)
	var after string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/app/contacts"),
		chromedp.Click(`a[href="/app/contacts/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "Grace Hopper", chromedp.ByQuery),
		chromedp.SendKeys(`#notes`, "Met through Jane", chromedp.ByQuery),
		// Two clicks 30 ms apart, as an impatient person makes them; the
		// second sent as a browser without app.js would (see
		// TestDoubleClickSendsOnce for what app.js does).
		chromedp.Evaluate(`(function () {
			var b = document.querySelector('form[action="/app/contacts/new"] button[type=submit]');
			b.click();
			setTimeout(function () { delete b.form.dataset.sending; b.click(); }, 30);
			return true;
		})()`, nil),
		chromedp.WaitVisible(`.notice`, chromedp.ByQuery),
		chromedp.Text(`main`, &after, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	// The page the second send answers with is the first one's.
	if !strings.Contains(after, "Added Grace Hopper.") {
		t.Fatalf("after the double click: %q", after)
	}
	var list struct{ Items []struct{ Name string } }
	s.api(t, "GET", "/v1/contacts", tok, nil, 200, &list)
	if len(list.Items) != 1 {
		t.Fatalf("%d contacts after a double click, want 1: %+v", len(list.Items), list.Items)
	}
}

// TestDoubleClickSendsOnce: app.js drops the second submit of a form on
// its way. A device token's form, which the server does not keep to once
// (the token is shown once; a second answer could not show it again),
// makes one token on a double click, and the page shows it. The form is
// free again when the page is shown again (Back: pageshow).
func TestDoubleClickSendsOnce(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	ctx := deskBrowser(t, s, "ada@example.com", tok)
	var shown, sends, again string
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/app/settings/devices"),
		chromedp.WaitVisible(`#name`, chromedp.ByQuery),
		chromedp.SendKeys(`#name`, "iPhone", chromedp.ByQuery),
		chromedp.Poll(`document.readyState === "complete"`, nil), // app.js has run
		// Two clicks 30 ms apart; each submit as app.js left it, kept
		// across the page's change.
		chromedp.Evaluate(`(function () {
			var b = document.querySelector('form[action="/app/settings/devices/tokens"] button[type=submit]');
			window.addEventListener("submit", function (e) {
				sessionStorage.sends = (sessionStorage.sends || "") + (e.defaultPrevented ? "dropped " : "sent ");
			});
			b.click();
			setTimeout(function () { b.click(); }, 30);
			return true;
		})()`, nil),
		chromedp.WaitVisible(`#new-token`, chromedp.ByQuery),
		chromedp.Value(`#token`, &shown, chromedp.ByQuery),
		chromedp.Evaluate(`sessionStorage.sends || ""`, &sends),
		// The page shown again from the browser's cache, a form on it
		// sent just before: free to send again.
		chromedp.Evaluate(`(function () {
			var f = document.querySelector('form[action="/app/settings/devices/tokens"]');
			f.dataset.sending = "1";
			window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}));
			return f.dataset.sending || "free";
		})()`, &again),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	var list struct{ Items []struct{ Name string } }
	s.api(t, "GET", "/v1/tokens", tok, nil, 200, &list)
	made := 0
	for _, it := range list.Items {
		if it.Name == "iPhone" {
			made++
		}
	}
	if made != 1 || strings.Count(sends, "sent") != 1 {
		t.Errorf("%d tokens named iPhone after a double click, want 1: %+v (submits: %s)", made, list.Items, sends)
	}
	// The token shown is the one made: it signs in.
	s.api(t, "GET", "/v1/tokens", shown, nil, 200, nil)
	if again != "free" {
		t.Errorf("a page shown again has the form %q, want it free to send", again)
	}
}

// TestDeskAccessibility runs axe-core on every page group of the desk:
// no serious or critical violation.
func TestDeskAccessibility(t *testing.T) {
	t.Parallel()
	if enginetest.Mongo() {
		t.Skip("run on SQLite: the pages' markup is the same on either engine")
	}
	axe, err := os.ReadFile(tooltest.Need(t, filepath.Join(repoRoot, "tools", "axecheck", "node_modules", "axe-core", "axe.min.js")))
	if err != nil {
		t.Fatal(err)
	}
	s := mustServe(t)
	tok := s.signup(t, "ada@example.com")
	jane := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe", "company": "Acme", "notes": "Two\nlines"})
	bob := s.create(t, tok, "/v1/contacts", map[string]any{"name": "Bob Smith"})
	s.create(t, tok, "/v1/intros", map[string]any{"contact_ids": []string{jane, bob}, "context": "WASM", "double_opt_in": true})
	ev := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays", "starts_at": "2026-11-24T09:00:00Z",
		"talks": []map[string]any{{"title": "Keynote", "speaker": "Rob"}}})
	s.api(t, "POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact_id": bob, "moment": "after_talk", "met_at": "2026-11-24T12:00:00Z",
		"topics": []string{"wasm", "go"}}, 201, nil)
	s.create(t, tok, "/v1/opportunities", map[string]any{"title": "Staff engineer", "source_contact_id": jane, "source_event_id": ev, "next_step": "Call"})
	// Each with its "Logged by mistake?" form.
	s.create(t, tok, "/v1/contacts/"+jane+"/interactions", map[string]any{"kind": "call", "notes": "About the role"})
	s.create(t, tok, "/v1/events/"+ev+"/giving", map[string]any{"kind": "spoke", "notes": "Keynote"})
	var janeNow struct {
		CompanyID string `json:"company_id"`
	}
	s.api(t, "GET", "/v1/contacts/"+jane, tok, nil, 200, &janeNow)
	// The log form asking whether a guest known by name only is Jane, and
	// logging Jane met again.
	s.api(t, "POST", "/v1/events/"+ev+"/attendees/import", tok, map[string]any{"attendees": []map[string]any{{"name": "Jane Doe"}}}, 200, nil)
	var guests struct{ Items []struct{ ID string } }
	s.api(t, "GET", "/v1/events/"+ev+"/attendees", tok, nil, 200, &guests)
	logForms := []string{"/app?event_id=" + ev + "&attendee_id=" + guests.Items[0].ID, "/app?contact_id=" + jane}
	// Follow-ups a month late, offered for dropping on the follow-ups page.
	old := s.create(t, tok, "/v1/events", map[string]any{"title": "GoDays 2025", "starts_at": "2025-11-24T09:00:00Z"})
	s.api(t, "POST", "/v1/events/"+old+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Ann Old"}, "moment": "after_talk",
		"met_at": "2025-11-24T12:00:00Z"}, 201, nil)
	// A guest list longer than the log form offers, with its finder.
	big := s.create(t, tok, "/v1/events", map[string]any{"title": "GopherCon", "starts_at": "2026-11-25T09:00:00Z"})
	many := []map[string]any{}
	for i := range web.LogGuests + 1 {
		many = append(many, map[string]any{"name": fmt.Sprintf("Guest %03d", i)})
	}
	s.api(t, "POST", "/v1/events/"+big+"/attendees/import", tok, map[string]any{"attendees": many}, 200, nil)
	logForms = append(logForms, "/app?event_id="+big+"&guests_from=guest+1", "/app/events/"+big+"/guests?from=guest+1")
	// Each kind's list and record pages (pkg/kinds), at /app/<name>.
	var kindPages []string
	for _, k := range s.CRM.Kinds {
		id := s.create(t, tok, "/v1/"+k.Name(), json.RawMessage(k.Example()))
		kindPages = append(kindPages, "/app/"+k.Name(), "/app/"+k.Name()+"/"+id)
	}
	ctx := deskBrowser(t, s, "ada@example.com", tok)
	// The last is the page a failed request answers with.
	for _, path := range append(append(append(deskPages(jane, ev), logForms...), kindPages...), "/app/companies/"+janeNow.CompanyID, "/app/no-such-page") {
		checkAxe(t, ctx, axe, s.URL+path)
	}
}

// checkAxe loads a page and fails the test for each serious or critical
// violation axe-core finds on it, in the light colour scheme and then the
// dark one (the page loaded once: its styles follow the scheme as it
// changes).
func checkAxe(t *testing.T, ctx context.Context, axe []byte, url string) {
	t.Helper()
	path := strings.SplitN(url, "/app", 2)[1]
	err := chromedp.Run(ctx,
		chromedp.Navigate(url),
		chromedp.WaitReady(`main`, chromedp.ByQuery),
		// The closed details (edit, log, remove, merge) are opened: axe
		// looks only at what is shown.
		chromedp.Evaluate(`document.querySelectorAll("details").forEach(d => d.open = true)`, nil),
		chromedp.Evaluate(string(axe), nil),
	)
	if err != nil {
		t.Fatalf("/app%s: %v", path, err)
	}
	for _, scheme := range []string{"light", "dark"} {
		var out string
		err := chromedp.Run(ctx,
			emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}),
			chromedp.Evaluate(`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))))`,
				&out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		)
		if err != nil {
			t.Fatalf("/app%s (%s): %v", path, scheme, err)
		}
		var violations []map[string]any
		if err := json.Unmarshal([]byte(out), &violations); err != nil {
			t.Fatalf("/app%s (%s): %v: %s", path, scheme, err, out)
		}
		for _, v := range violations {
			t.Errorf("/app%s (%s): %v — %v at %v", path, scheme, v["id"], v["help"], v["nodes"])
		}
	}
}

// deskPages are the desk's page groups, one page each.
func deskPages(contact, event string) []string {
	return []string{"/app/contacts/" + contact, "/app/contacts/" + contact + "/edit", "/app/contacts/" + contact + "/delete", "/app/contacts/new", "/app/intros", "/app/pipeline",
		"/app/events", "/app/events/new", "/app/events/" + event, "/app/events/" + event + "/edit", "/app/events/" + event + "/delete", "/app/events/" + event + "/review", "/app/events/" + event + "/guests", "/app/events/" + event + "/prep", "/app/insights", "/app/today", "/app/followups", "/app/import", "/app/companies", "/app/contacts", "/app/settings", "/app/settings/devices"}
}
