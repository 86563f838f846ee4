package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/dav"
)

// TestEveryRouteThroughMain drives the server's routes through the
// binary's own wiring (NewMain + Run, as main does), so a part that the
// wiring forgets (a nil importer, say) fails here even when the API's own
// tests wire it themselves; any call answering 5xx fails it. That every
// route is tested at all is checked where it is registered: pkg/api,
// pkg/web and pkg/dav each fail their run for a route none of their tests
// called (pkg/routetest), so a new route needs no line here.
func TestEveryRouteThroughMain(t *testing.T) {
	cal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		io.WriteString(w, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:m1\r\nSUMMARY:Gophers\r\nDTSTART:20261201T180000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	}))
	defer cal.Close()
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_ALLOW_PRIVATE_URLS": "true"}))
	defer m.Close()
	base := "http://" + m.Addr

	type result struct {
		status int
		body   map[string]any
	}
	do := func(method, path, token, contentType string, body []byte) result {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s answered %d: %s", method, path, resp.StatusCode, data)
		}
		var out map[string]any
		json.Unmarshal(data, &out)
		return result{resp.StatusCode, out}
	}
	j := func(method, path, token string, body any) result {
		t.Helper()
		var b []byte
		if body != nil {
			b, _ = json.Marshal(body)
		}
		return do(method, path, token, "application/json", b)
	}
	want := func(r result, status int) result {
		t.Helper()
		if r.status != status {
			t.Fatalf("status %d, want %d: %v", r.status, status, r.body)
		}
		return r
	}
	id := func(r result) string { return r.body["id"].(string) }

	want(j("GET", "/healthz", "", nil), 200)
	want(j("GET", "/readyz", "", nil), 200)
	want(j("GET", "/metrics", "", nil), 200)
	tok := want(j("POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada"}), 201).body["token"].(string)
	want(j("GET", "/v1/me", tok, nil), 200)
	want(j("PATCH", "/v1/me", tok, map[string]any{"timezone": "Europe/Berlin"}), 200)
	tk := want(j("POST", "/v1/tokens", tok, map[string]any{"name": "laptop"}), 201)
	want(j("GET", "/v1/tokens", tok, nil), 200)
	want(j("DELETE", "/v1/tokens/"+id(tk), tok, nil), 204)

	ev := id(want(j("POST", "/v1/events", tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-20T18:00:00Z"}), 201))
	want(j("GET", "/v1/events", tok, nil), 200)
	want(j("GET", "/v1/events/"+ev, tok, nil), 200)
	want(j("PATCH", "/v1/events/"+ev, tok, map[string]any{"location": "Berlin"}), 200)
	want(do("GET", "/v1/events/"+ev+"/event.ics", tok, "", nil), 200)
	enc := want(j("POST", "/v1/events/"+ev+"/encounters", tok, map[string]any{"contact": map[string]any{"name": "Jane", "emails": []string{"jane@example.com"}}, "moment": "after_talk"}), 201)
	jane := enc.body["contact"].(map[string]any)["id"].(string)
	want(j("GET", "/v1/events/"+ev+"/encounters", tok, nil), 200)
	want(j("GET", "/v1/events/"+ev+"/review", tok, nil), 200)
	want(j("GET", "/v1/events/"+ev+"/prep", tok, nil), 200)
	want(j("POST", "/v1/events/"+ev+"/giving", tok, map[string]any{"kind": "volunteered"}), 201)
	want(do("POST", "/v1/events/"+ev+"/attendees/import", tok, "text/csv", []byte("name,email\nGuest One,g1@example.com\n")), 200)
	guests := j("GET", "/v1/events/"+ev+"/attendees", tok, nil)
	want(guests, 200)
	guest := guests.body["items"].([]any)[0].(map[string]any)["id"].(string)
	want(j("DELETE", "/v1/events/"+ev+"/attendees/"+guest, tok, nil), 204)
	bob := id(want(j("POST", "/v1/contacts", tok, map[string]any{"name": "Bob"}), 201))
	want(j("GET", "/v1/contacts", tok, nil), 200)
	want(j("GET", "/v1/contacts/duplicates", tok, nil), 200)
	want(j("GET", "/v1/search?q=ada", tok, nil), 200)
	dupe := id(want(j("POST", "/v1/contacts", tok, map[string]any{"name": "Bobby"}), 201))
	want(j("POST", "/v1/contacts/"+bob+"/merge", tok, map[string]any{"other_id": dupe}), 200)
	want(j("GET", "/v1/contacts/"+bob, tok, nil), 200)
	want(j("PATCH", "/v1/contacts/"+bob, tok, map[string]any{"company": "Globex"}), 200)
	want(j("GET", "/v1/contacts/"+jane+"/encounters", tok, nil), 200)
	co := id(want(j("POST", "/v1/companies", tok, map[string]any{"name": "Initech", "domain": "initech.example"}), 201))
	want(j("GET", "/v1/companies", tok, nil), 200)
	want(j("GET", "/v1/companies/"+co, tok, nil), 200)
	want(j("PATCH", "/v1/companies/"+co, tok, map[string]any{"notes": "hiring"}), 200)
	want(j("GET", "/v1/companies/"+co+"/people", tok, nil), 200)
	want(j("GET", "/v1/companies/"+co+"/paths", tok, nil), 200)
	opp := id(want(j("POST", "/v1/opportunities", tok, map[string]any{"title": "Staff engineer", "company_id": co, "source_contact_id": jane,
		"next_step": "Send CV", "next_step_at": "2026-12-01T09:00:00Z"}), 201))
	want(j("GET", "/v1/opportunities?contact_id="+jane, tok, nil), 200)
	want(j("GET", "/v1/opportunities/"+opp, tok, nil), 200)
	want(j("PATCH", "/v1/opportunities/"+opp, tok, map[string]any{"stage": "applied"}), 200)
	want(j("DELETE", "/v1/opportunities/"+opp, tok, nil), 204)
	want(j("DELETE", "/v1/companies/"+co, tok, nil), 204)
	want(j("POST", "/v1/contacts/"+bob+"/interactions", tok, map[string]any{"kind": "call"}), 201)
	want(j("GET", "/v1/contacts/"+bob+"/interactions", tok, nil), 200)
	want(do("POST", "/v1/contacts/import", tok, "text/csv", []byte("name,email\nCarol,carol@example.com\n")), 200)
	imp := want(do("POST", "/v1/contacts/import", tok, "text/csv", []byte("name,email\nDora,dora@example.com\n")), 200).body["import_id"].(string)
	want(j("DELETE", "/v1/imports/"+imp, tok, nil), 200)
	want(j("GET", "/v1/imports", tok, nil), 200)
	want(do("GET", "/v1/contacts/export.vcf", tok, "", nil), 200)
	want(do("GET", "/v1/contacts/export.csv", tok, "", nil), 200)
	intro := id(want(j("POST", "/v1/intros", tok, map[string]any{"contact_ids": []string{jane, bob}, "double_opt_in": true}), 201))
	want(j("GET", "/v1/intros", tok, nil), 200)
	want(j("GET", "/v1/intros/"+intro, tok, nil), 200)
	want(j("PATCH", "/v1/intros/"+intro, tok, map[string]any{"status": "accepted"}), 200)
	fu := id(want(j("POST", "/v1/followups", tok, map[string]any{"contact_id": bob, "due_at": "2026-12-01T09:00:00Z", "note": "send slides"}), 201))
	want(j("GET", "/v1/followups", tok, nil), 200)
	want(j("GET", "/v1/followups/"+fu, tok, nil), 200)
	want(j("PATCH", "/v1/followups/"+fu, tok, map[string]any{"note": "send the slides"}), 200)
	want(j("POST", "/v1/followups/"+fu+"/snooze", tok, map[string]any{"days": 2}), 200)
	want(j("DELETE", "/v1/followups/"+fu, tok, nil), 204)
	fu2 := id(want(j("POST", "/v1/followups", tok, map[string]any{"contact_id": bob, "due_at": "2026-12-02T09:00:00Z"}), 201))
	want(j("POST", "/v1/followups/"+fu2+"/done", tok, nil), 200)
	want(j("GET", "/v1/insights", tok, nil), 200)

	feeds := want(j("GET", "/v1/feeds", tok, nil), 200)
	want(do("GET", strings.TrimPrefix(feeds.body["all"].(string), m.Config.BaseURL), "", "", nil), 200)
	set := id(want(j("POST", "/v1/feeds", tok, map[string]any{"name": "phone"}), 201))
	want(j("POST", "/v1/feeds/rotate", tok, nil), 200)
	want(j("DELETE", "/v1/feeds/"+set, tok, nil), 204)

	c := id(want(j("POST", "/v1/calendars", tok, map[string]any{"url": cal.URL + "/group.ics", "name": "Gophers"}), 201))
	want(j("GET", "/v1/calendars", tok, nil), 200)
	want(j("GET", "/v1/calendars/"+c, tok, nil), 200)
	if r := want(j("POST", "/v1/calendars/"+c+"/sync", tok, nil), 200); fmt.Sprint(r.body["result"]) == "<nil>" {
		t.Fatalf("sync answered no result: %v", r.body)
	}
	want(j("DELETE", "/v1/calendars/"+c, tok, nil), 204)
	want(j("POST", "/v1/calendars", tok, map[string]any{"url": cal.URL + "/group.ics", "name": "Gophers again"}), 201) // unfollowed on the desk's events page

	backup := do("GET", "/v1/export", tok, "", nil)
	want(backup, 200)
	_ = want(j("POST", "/v1/import", tok, map[string]any{"format": "rapport-backup", "version": 1}), 409) // the account is not empty

	want(j("DELETE", "/v1/encounters/"+enc.body["encounter"].(map[string]any)["id"].(string), tok, nil), 204)
	want(j("DELETE", "/v1/contacts/"+bob, tok, nil), 204)
	want(j("DELETE", "/v1/events/"+ev, tok, nil), 204)

	want(j("PUT", "/v1/me/password", tok, map[string]any{"password": "correct horse battery"}), 204)
	want(j("POST", "/v1/scan", tok, map[string]any{"text": "mailto:grace@example.com"}), 200)

	// The personal card and its public page.
	me := want(j("PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true, "headline": "Gopher"}}), 200)
	cardID := me.body["card"].(map[string]any)["card_id"].(string)
	want(do("GET", "/v1/me/card.png", tok, "", nil), 200)
	want(do("GET", "/c/"+cardID, "", "", nil), 200)
	want(do("POST", "/c/"+cardID, "", "application/x-www-form-urlencoded", []byte("name=Grace&consent=yes&t=forged")), 403)
	want(j("POST", "/v1/me/card/rotate", tok, nil), 200)
	want(do("GET", "/c/"+cardID, "", "", nil), 404)

	// MCP: a stateless endpoint, so POST answers and GET and DELETE are 405.
	for method, status := range map[string]int{"POST": 200, "GET": 405, "DELETE": 405} {
		req, _ := http.NewRequest(method, base+"/mcp", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("%s /mcp: %d, want %d", method, resp.StatusCode, status)
		}
	}

	// Inbound mail is off on this server (no CRM_INBOUND_ADDR).
	want(j("POST", "/v1/me/inbound/rotate", tok, nil), 409)

	// The phone pages, through a browser-like client with cookies.
	usePhonePages(t, base, tok)
	useAddressBook(t, base, "ada@example.com", tok)
}

// usePhonePages signs in to the phone pages and uses each of them.
func usePhonePages(t *testing.T, base, tok string) {
	t.Helper()
	jar := newJar()
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 400 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	post := func(path string, form url.Values) string {
		t.Helper()
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 400 {
			t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	upload := func(path, field, name, content string, form url.Values) string {
		t.Helper()
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, vs := range form {
			for _, v := range vs {
				w.WriteField(k, v)
			}
		}
		if name != "" {
			fw, _ := w.CreateFormFile(field, name)
			io.WriteString(fw, content)
		}
		w.Close()
		resp, err := c.Post(base+path, w.FormDataContentType(), &body)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 400 {
			t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	field := func(page, name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]+)"`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no %s in the page", name)
		}
		return m[1]
	}
	// Sign-up from the phone: this server has a user and is closed.
	signup := get("/app/signup")
	resp, err := c.PostForm(base+"/app/signup", url.Values{"csrf": {field(signup, "csrf")}, "name": {"Eve"}, "email": {"eve@example.com"},
		"password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a second sign-up on a closed server: %d", resp.StatusCode)
	}
	// Sign-in links: off without SMTP; a bogus link is refused.
	linkPage := get("/app/login/link?t=rln_bogus")
	for _, tc := range []struct {
		path string
		form url.Values
		want int
	}{
		{"/app/login/link", url.Values{"csrf": {field(linkPage, "csrf")}, "email": {"ada@example.com"}}, http.StatusNotFound},
		{"/app/login/link/use", url.Values{"csrf": {field(linkPage, "csrf")}, "link": {"rln_bogus"}}, http.StatusUnauthorized},
	} {
		resp, err := c.PostForm(base+tc.path, tc.form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("POST %s: %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
	}
	login := get("/app/login")
	form := url.Values{"email": {"ada@example.com"}, "token": {tok}}
	if m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(login); m != nil {
		form.Set("csrf", m[1])
	}
	page := post("/app/login", form)
	csrf := field(page, "csrf")
	post("/app/encounters", url.Values{"csrf": {csrf}, "form_id": {field(page, "form_id")}, "event_title": {"Web meetup"}, "name": {"Wendy"}, "moment": {"other"}})
	page = get("/app/followups")
	ids := regexp.MustCompile(`action="/app/followups/([0-9a-f]+)/done"`).FindAllStringSubmatch(page, -1)
	if len(ids) < 2 {
		t.Fatalf("want two follow-ups for Wendy on the page")
	}
	post("/app/followups/"+ids[0][1]+"/done", url.Values{"csrf": {csrf}})
	post("/app/followups/"+ids[1][1]+"/snooze", url.Values{"csrf": {csrf}})
	drawn := regexp.MustCompile(`action="/app/followups/` + ids[1][1] + `/edit">\s*<input type="hidden" name="csrf" value="[^"]*"><input type="hidden" name="updated_at" value="([^"]+)"`).
		FindStringSubmatch(get("/app/followups")) // as the snooze left it
	if drawn == nil {
		t.Fatal("the follow-up's edit form does not carry its updated_at")
	}
	if !strings.Contains(post("/app/followups/"+ids[1][1]+"/edit", url.Values{"csrf": {csrf}, "updated_at": {drawn[1]}, "due": {"2026-12-24T09:00"}, "note": {"re-dated on the desk"}}), "Saved.") {
		t.Fatal("re-dating a follow-up on the desk")
	}
	get("/app/calendar")
	post("/app/calendar/links", url.Values{"csrf": {csrf}})
	found := get("/app/contacts?q=wendy")
	m := regexp.MustCompile(`href="/app/contacts/([0-9a-zA-Z_-]+)"`).FindStringSubmatch(found)
	if m == nil {
		t.Fatal("the contact search does not find Wendy")
	}
	if !strings.Contains(get("/app/contacts/"+m[1]), "Web meetup") {
		t.Fatal("Wendy's page does not say where you met")
	}
	if !strings.Contains(post("/app/contacts/"+m[1]+"/opportunities", url.Values{"csrf": {csrf}, "title": {"An opening"}}), "Noted: An opening.") {
		t.Fatal("noting an opening from Wendy's page")
	}
	// A second Wendy, then merged from the duplicates page.
	post("/app/encounters", url.Values{"csrf": {csrf}, "form_id": {field(get("/app"), "form_id")}, "event_title": {"Web meetup"}, "name": {"wendy"}, "moment": {"other"}})
	pair := regexp.MustCompile(`action="/app/contacts/([^"/]+)/merge"><input type="hidden" name="csrf" value="[^"]*"><input type="hidden" name="other_id" value="([^"]+)"`).
		FindStringSubmatch(get("/app/duplicates"))
	if pair == nil || !strings.Contains(post("/app/contacts/"+pair[1]+"/merge", url.Values{"csrf": {csrf}, "other_id": {pair[2]}}), "Merged into") {
		t.Fatal("merging the two Wendys from the duplicates page")
	}
	deskRoutes(t, get, post, upload, csrf, pair[1])
	extraWebRoutes(t, get, post, csrf)
	// The BCC address on the devices page: inbound mail is off here (404).
	if resp, err := c.PostForm(base+"/app/settings/devices/inbound/rotate", url.Values{"csrf": {csrf}}); err != nil {
		t.Fatal(err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("rotating the BCC address with inbound mail off: %d", resp.StatusCode)
	}
	get("/app")
	post("/app/logout", url.Values{"csrf": {csrf}})
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

// extraWebRoutes uses the settings, card and scan pages.
func extraWebRoutes(t *testing.T, get func(string) string, post func(string, url.Values) string, csrf string) {
	t.Helper()
	page := get("/app/settings")
	if !strings.Contains(page, `value="Ada"`) {
		t.Fatalf("settings page does not show the name")
	}
	page = post("/app/settings", url.Values{"csrf": {csrf}, "name": {"Ada L."}, "timezone": {"Europe/Paris"}, "nudge_hour": {"8"}, "notify_email": {"ada@example.com"}})
	if !strings.Contains(page, "Saved.") || !strings.Contains(page, `value="Europe/Paris"`) {
		t.Fatalf("settings not saved")
	}
	post("/app/settings/password", url.Values{"csrf": {csrf}, "password": {"a new long password"}, "current_password": {"correct horse battery"}})
	if m := regexp.MustCompile(`action="/app/settings/devices/([^"/]+)/revoke"`).FindStringSubmatch(get("/app/settings")); m != nil {
		post("/app/settings/devices/"+m[1]+"/revoke", url.Values{"csrf": {csrf}})
	} else {
		t.Fatal("the settings page lists no calendar links (one set was made on the calendar page)")
	}
	// The devices page: a token made, shown once, and revoked.
	made := post("/app/settings/devices/tokens", url.Values{"csrf": {csrf}, "name": {"Tablet"}})
	if !strings.Contains(made, "rpt_") {
		t.Fatal("the devices page showed no new token")
	}
	// Tokens are listed oldest first: the last is the Tablet's.
	if all := regexp.MustCompile(`action="/app/settings/devices/tokens/([^"/]+)/revoke"`).FindAllStringSubmatch(get("/app/settings/devices"), -1); len(all) > 1 {
		post("/app/settings/devices/tokens/"+all[len(all)-1][1]+"/revoke", url.Values{"csrf": {csrf}})
	} else {
		t.Fatal("the devices page lists no token")
	}
	// The card (the settings saved above turned it off) and the scan page.
	if !strings.Contains(post("/app/card/on", url.Values{"csrf": {csrf}}), "Your card is on.") {
		t.Fatal("the card did not turn on")
	}
	get("/app/card.png")
	post("/app/card/rotate", url.Values{"csrf": {csrf}})
	get("/app/scan")
	if !strings.Contains(get("/app/sw.js"), "importScripts") {
		t.Fatal("the service worker is not served")
	}
	if !strings.Contains(post("/app/scan", url.Values{"csrf": {csrf}, "text": {"mailto:grace@example.com"}}), `value="grace@example.com"`) {
		t.Fatal("the scan did not fill in the log form")
	}
}

// useAddressBook drives the DAV tree as address book and reminders apps
// do: discovery, listing, a new card, reading it back, deleting it.
func useAddressBook(t *testing.T, base, email, tok string) {
	t.Helper()
	call := func(method, path, body string, want int, headers ...string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.SetBasicAuth(email, tok)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s %s answered %d, want %d: %s", method, path, resp.StatusCode, want, data)
		}
	}
	call("GET", "/", "", http.StatusFound)
	call("GET", "/favicon.ico", "", http.StatusMovedPermanently)
	call("GET", "/.well-known/carddav", "", http.StatusMovedPermanently)
	call("PROPFIND", "/.well-known/carddav", "", http.StatusMovedPermanently)
	call("GET", "/.well-known/caldav", "", http.StatusMovedPermanently)
	call("PROPFIND", "/.well-known/caldav", "", http.StatusMovedPermanently)
	call("REPORT", "/dav/cal/me/lists/followups/", `<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VTODO"/></c:comp-filter></c:filter></c:calendar-query>`,
		http.StatusMultiStatus, "Depth", "1", "Content-Type", "application/xml")
	propfind := `<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:displayname/></d:prop></d:propfind>`
	call("PROPFIND", "/dav/card/me/books/rapport/", propfind, http.StatusMultiStatus, "Depth", "1", "Content-Type", "application/xml")
	call("PROPPATCH", "/dav/card/me/books/rapport/", `<?xml version="1.0"?><d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Rapport</d:displayname></d:prop></d:set></d:propertyupdate>`,
		http.StatusMultiStatus, "Content-Type", "application/xml")
	call("REPORT", "/dav/card/me/books/rapport/", `<?xml version="1.0"?><c:addressbook-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/></d:prop></c:addressbook-query>`,
		http.StatusMultiStatus, "Depth", "1", "Content-Type", "application/xml")
	card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dora\r\nUID:dora-1\r\nEMAIL:dora@example.com\r\nEND:VCARD\r\n"
	call("PUT", "/dav/card/me/books/rapport/dora-1.vcf", card, http.StatusCreated, "Content-Type", "text/vcard")
	call("GET", "/dav/card/me/books/rapport/dora-1.vcf", "", http.StatusOK)
	call("DELETE", "/dav/card/me/books/rapport/dora-1.vcf", "", http.StatusNoContent)
	// What the DAV tree does not serve is 405 with its Allow, through Main too.
	for _, m := range dav.Methods {
		if m != "PROPFIND" && m != "PROPPATCH" && m != "REPORT" {
			call(m, "/dav/card/me/books/rapport/", "", http.StatusMethodNotAllowed)
		}
	}
}
