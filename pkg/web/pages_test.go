package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func TestWebPages(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	b := newPhone(t, s)

	if st, page := b.get("/app"); st != 200 || !strings.Contains(page, "Sign in") {
		t.Fatalf("without a session /app should show the sign-in page: %d", st)
	}
	signInPages(t, s, tok, b)
	st, page, resp := b.login("Ada@Example.com", tok, "")
	if st != 200 || !strings.Contains(page, "Log a contact") {
		t.Fatalf("after sign-in: %d", st)
	}
	cookie := strings.ToLower(resp.Request.Response.Header.Get("Set-Cookie"))
	if !strings.Contains(cookie, "httponly") || !strings.Contains(cookie, "samesite=lax") || strings.Contains(cookie, "secure") {
		t.Fatalf("session cookie %q: want HttpOnly, SameSite=Lax, not Secure on http", cookie)
	}
	csrf := hiddenIn(t, page, "csrf")

	w := &signedIn{s: s, tok: tok, b: b, csrf: csrf}
	w.logForm(t)
	w.afterLogging(t)
	w.settingsAndSignOut(t)
}

// signedIn is a browser signed in to the pages, as TestWebPages goes on.
type signedIn struct {
	s    *server
	tok  string
	b    *phone
	csrf string
}

// signInPages: wrong tokens and passwords, a sign-in without the form's
// token, and a link followed after signing in.
func signInPages(t *testing.T, s *server, tok string, b *phone) {
	t.Run("ErrWrongToken", func(t *testing.T) {
		st, page, _ := b.login("ada@example.com", "rpt_wrong", "")
		if st != 401 || !strings.Contains(page, `class="error">This email and password (or token) do not match.`) {
			t.Fatalf("wrong token: %d", st)
		}
		st, _, _ = b.login("eve@example.com", tok, "")
		if st != 401 {
			t.Fatalf("another email with a valid token: %d", st)
		}
	})
	t.Run("Password", func(t *testing.T) {
		// Set a password with the API, then sign in with it on a fresh browser.
		MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "short"}), 422)
		MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "correct horse battery"}), 204)
		r := s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "another long one"})
		MustStatus(t, r, 422) // current_password is needed once one is set
		if !strings.Contains(string(r.Body), "current_password") {
			t.Fatalf("the error does not name current_password: %s", r.Body)
		}
		MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": "another long one", "current_password": "wrong password!"}), 403)
		pb := newPhone(t, s)
		if st, page, _ := pb.login("ada@example.com", "wrong password!", ""); st != 401 || strings.Contains(page, "Log a contact") {
			t.Fatalf("a wrong password: %d", st)
		}
		if st, page, _ := pb.login("ADA@example.com", "correct horse battery", ""); st != 200 || !strings.Contains(page, "Log a contact") {
			t.Fatalf("sign-in with the password: %d", st)
		}
		if st, _, _ := newPhone(t, s).login("eve@example.com", "correct horse battery", ""); st != 401 {
			t.Fatalf("another email with the password: %d", st)
		}
	})
	t.Run("ErrLoginWithoutCSRF", func(t *testing.T) {
		if st, _, _ := newPhone(t, s).post("/app/login", url.Values{"email": {"ada@example.com"}, "token": {tok}}); st != 403 {
			t.Fatalf("sign-in posted without the form's token: %d, want 403", st)
		}
	})
	t.Run("OK_NextAfterLogin", func(t *testing.T) {
		nb := newPhone(t, s)
		resp, err := nb.c.Get(s.URL + "/app/followups")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Request.URL.RequestURI(); got != "/app/login?next=%2Fapp%2Ffollowups" {
			t.Fatalf("redirected to %s", got)
		}
		_, page, _ := nb.login("ada@example.com", tok, "/app/followups")
		if !strings.Contains(page, "<h1>Follow-ups") {
			t.Fatalf("after sign-in from a link, not on the follow-ups page")
		}
		if _, page, _ := newPhone(t, s).login("ada@example.com", tok, "//evil.example/app"); !strings.Contains(page, "Log a contact") {
			t.Fatalf("an off-site next was followed")
		}
	})
}

// logForm: the log form's errors beside their fields, a failed submit
// that writes nothing, a double submit, the folded extra fields.
func (w *signedIn) logForm(t *testing.T) {
	s, tok, b, csrf := w.s, w.tok, w.b, w.csrf
	t.Run("ErrFormErrorsNextToFields", func(t *testing.T) {
		st, page, _ := b.post("/app/encounters", url.Values{"csrf": {csrf}, "form_id": {hiddenIn(t, b.last, "form_id")}, "email": {"not an email"}, "notes": {"kept"}})
		if st != 422 {
			t.Fatalf("status %d", st)
		}
		for _, want := range []string{`id="name" name="name" type="text" autocomplete="off" value="" aria-invalid="true">`, `A name is needed.`,
			`Pick today&#39;s event or name a new one.`, `Say when you met.`, `>kept</textarea>`} {
			if !strings.Contains(page, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("ErrFailedSubmitLeavesNoEvent", func(t *testing.T) {
		st, page, _ := b.post("/app/encounters", url.Values{"csrf": {csrf}, "form_id": {hiddenIn(t, b.last, "form_id")},
			"event_title": {"Never happened"}, "name": {"Jane"}, "email": {"not an email"}, "moment": {"after_talk"}})
		if st != 422 || !strings.Contains(page, "not a valid email") {
			t.Fatalf("status %d", st)
		}
		if n := s.count(t, "events", bson.M{}); n != 0 {
			t.Fatalf("%d events after a failed submit, want 0", n)
		}
	})
	t.Run("ErrNoCSRF", func(t *testing.T) {
		if st, _, _ := b.post("/app/encounters", url.Values{"name": {"X"}, "moment": {"other"}, "event_title": {"E"}}); st != 403 {
			t.Fatalf("POST without the CSRF token: %d, want 403", st)
		}
	})
	t.Run("OK_LogContactDoubleSubmit", func(t *testing.T) {
		_, page := b.get("/app")
		form := url.Values{"csrf": {csrf}, "form_id": {hiddenIn(t, page, "form_id")}, "event_title": {"Go meetup"}, "name": {"Jane Doe"},
			"email": {"jane@example.com"}, "moment": {"after_talk"}, "notes": {"WASM"}}
		st, page, _ := b.post("/app/encounters", form)
		if st != 200 || !strings.Contains(page, "Saved Jane Doe.") {
			t.Fatalf("log: %d", st)
		}
		st, page, _ = b.post("/app/encounters", form) // the same form again
		if st != 200 || !strings.Contains(page, "Saved Jane Doe.") {
			t.Fatalf("second submit: %d", st)
		}
		if n := s.count(t, "contacts", bson.M{}); n != 1 {
			t.Fatalf("%d contacts after a double submit, want 1", n)
		}
		if n := s.count(t, "encounters", bson.M{}); n != 1 {
			t.Fatalf("%d encounters after a double submit, want 1", n)
		}
		if n := s.count(t, "events", bson.M{}); n != 1 {
			t.Fatalf("%d events after a double submit, want 1", n)
		}
	})
	t.Run("OK_MoreFields", func(t *testing.T) {
		_, page := b.get("/app")
		if !strings.Contains(page, "<summary>More: company, title, phone, LinkedIn, topics</summary>") {
			t.Fatal("the log form has no folded extra fields")
		}
		form := url.Values{"csrf": {csrf}, "form_id": {hiddenIn(t, page, "form_id")}, "event_title": {"Rust meetup"}, "name": {"Carl Mo"},
			"moment": {"before_talk"}, "company": {"Ferrous"}, "phone": {"+49 30 555"}, "linkedin_url": {"linkedin.com/in/carl-mo"}, "topics": {"rust, ffi"}}
		if st, page, _ := b.post("/app/encounters", form); st != 200 || !strings.Contains(page, "Saved Carl Mo.") {
			t.Fatalf("log with more fields: %d", st)
		}
		r := s.Do(t, "GET", "/v1/contacts?q=carl", tok, nil)
		MustStatus(t, r, 200)
		got := string(r.Body)
		for _, want := range []string{`"company":"Ferrous"`, `"+49 30 555"`, `"linkedin_url":"https://www.linkedin.com/in/carl-mo"`} {
			if !strings.Contains(got, want) {
				t.Errorf("contact lacks %s: %s", want, got)
			}
		}
		_, fresh := b.get("/app")
		form.Set("form_id", hiddenIn(t, fresh, "form_id"))
		form.Set("linkedin_url", "not a profile")
		form.Set("name", "Dee")
		if st, page, _ := b.post("/app/encounters", form); st != 422 || !strings.Contains(page, "<details open>") {
			t.Fatalf("a bad LinkedIn URL: %d (the folded part must open to show its error)", st)
		}
	})
}

// afterLogging: finding whom one met, their follow-ups done and snoozed,
// calendar links.
func (w *signedIn) afterLogging(t *testing.T) {
	b, csrf, s := w.b, w.csrf, w.s
	t.Run("OK_HaveIMetThem", func(t *testing.T) {
		st, page := b.get("/app/contacts?q=carl")
		if st != 200 || !strings.Contains(page, ">Carl Mo</strong></a> · Ferrous") {
			t.Fatalf("search: %d\n%s", st, page)
		}
		id := page[strings.Index(page, `href="/app/contacts/`)+len(`href="/app/contacts/`):]
		id = id[:strings.IndexByte(id, '"')]
		st, page = b.get("/app/contacts/" + id)
		for _, want := range []string{"<h1>Carl Mo</h1>", "Rust meetup · before the talk", "rust, ffi", `href="tel:&#43;4930555"`,
			`href="https://www.linkedin.com/in/carl-mo"`, "Say thank you: Carl Mo"} {
			if !strings.Contains(page, want) {
				t.Errorf("contact page lacks %s", want)
			}
		}
		if st != 200 {
			t.Fatalf("contact page: %d", st)
		}
		if st, page := b.get("/app/contacts?q=nobody-like-this"); st != 200 || !strings.Contains(page, "Nobody matches") {
			t.Fatalf("no match: %d", st)
		}
		if st, _ := b.get("/app/contacts/not-a-contact"); st != 404 {
			t.Fatalf("an unknown contact: %d", st)
		}
	})
	t.Run("OK_FollowupsDoneAndSnooze", func(t *testing.T) {
		_, page := b.get("/app/followups")
		if !strings.Contains(page, "Say thank you: Jane Doe") || !strings.Contains(page, "Check in: Jane Doe") {
			t.Fatalf("follow-ups page lacks Jane's follow-ups")
		}
		// Jane's and Carl's thank-yous are due at the same time; ids are
		// random, so pick Jane's by its title, not by its place.
		of := func(title string) string {
			m := regexp.MustCompile(`id="f-([0-9a-f]+)">\s*<strong>(?:<a [^>]*>)?` + title + `(?:</a>)?</strong>`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no follow-up %q on the page", title)
			}
			return m[1]
		}
		ids := [][]string{{"", of("Say thank you: Jane Doe")}, {"", of("Check in: Jane Doe")}}
		st, page, _ := b.post("/app/followups/"+ids[0][1]+"/done", url.Values{"csrf": {csrf}})
		if st != 200 || strings.Contains(page, "Say thank you: Jane Doe") || !strings.Contains(page, "Marked done.") {
			t.Fatalf("after done: %d\n%s", st, page)
		}
		st, page, _ = b.post("/app/followups/"+ids[1][1]+"/snooze", url.Values{"csrf": {csrf}})
		if st != 200 || !strings.Contains(page, "Snoozed for a week.") {
			t.Fatalf("after snooze: %d", st)
		}
	})
	t.Run("OK_CalendarLinks", func(t *testing.T) {
		linkRe := regexp.MustCompile(`href="webcal://rapport.test(/ical/rfd_[^/]+/all.ics)"`)
		_, first, _ := b.post("/app/calendar/links", url.Values{"csrf": {csrf}})
		_, second, _ := b.post("/app/calendar/links", url.Values{"csrf": {csrf}})
		m1, m2 := linkRe.FindStringSubmatch(first), linkRe.FindStringSubmatch(second)
		if m1 == nil || m2 == nil || m1[1] == m2[1] {
			t.Fatalf("want a tappable webcal link, new each time")
		}
		// Links made for another device leave this one's working.
		for _, p := range []string{m1[1], m2[1]} {
			if st := s.Do(t, "GET", p, "", nil).Status; st != 200 {
				t.Fatalf("%s answers %d after links for another device were made", p, st)
			}
		}
	})
}

// settingsAndSignOut: the secure cookie behind HTTPS, settings, signing
// out.
func (w *signedIn) settingsAndSignOut(t *testing.T) {
	s, tok, b, csrf := w.s, w.tok, w.b, w.csrf
	t.Run("OK_SecureCookieBehindHTTPS", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL+"/app/login", strings.NewReader(url.Values{"email": {"ada@example.com"}, "token": {tok}, "csrf": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "rapport_login", Value: "x"})
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if c := strings.ToLower(resp.Header.Get("Set-Cookie")); !strings.Contains(c, "; secure") {
			t.Fatalf("cookie behind https: %q", c)
		}
	})
	t.Run("Settings", func(t *testing.T) {
		st, page, _ := b.post("/app/settings", url.Values{"csrf": {csrf}, "name": {"Ada"}, "timezone": {"Mars/Olympus"}, "nudge_hour": {"25"}, "notify_email": {"x"}})
		if st != 422 || !strings.Contains(page, "IANA") || !strings.Contains(page, "between 0 and 23") || !strings.Contains(page, "valid email") {
			t.Fatalf("bad settings: %d", st)
		}
		st, page, _ = b.post("/app/settings", url.Values{"csrf": {csrf}, "name": {"Ada L."}, "timezone": {"Europe/Paris"}, "nudge_hour": {"7"},
			"notify_email": {"nudges@example.com"}, "webhook_url": {"https://93.184.216.34/hook"}, "webhook_secret": {"s3cret"}})
		if st != 200 || !strings.Contains(page, "Saved.") {
			t.Fatalf("save: %d", st)
		}
		me := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)
		notify := me["notify"].(map[string]any)
		if me["name"] != "Ada L." || me["timezone"] != "Europe/Paris" || me["nudge_hour"] != 7.0 || notify["email"] != "nudges@example.com" || notify["webhook_url"] != "https://93.184.216.34/hook" {
			t.Fatalf("after saving settings: %v", me)
		}
		if st, _, _ := b.post("/app/settings", url.Values{"name": {"X"}}); st != 403 {
			t.Fatalf("settings without CSRF: %d", st)
		}
	})
	t.Run("OK_Logout", func(t *testing.T) {
		b.post("/app/logout", url.Values{"csrf": {csrf}})
		if _, page := b.get("/app/followups"); !strings.Contains(page, "Sign in") {
			t.Fatalf("still signed in after sign-out")
		}
	})
}

func TestWebSmallThings(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(s.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	icon := s.Do(t, "GET", r.Header.Get("Location"), "", nil)
	if r.StatusCode != http.StatusMovedPermanently || icon.Status != 200 || !strings.Contains(icon.Header.Get("Content-Type"), "svg") {
		t.Fatalf("favicon: %d → %q, then %d %q", r.StatusCode, r.Header.Get("Location"), icon.Status, icon.Header.Get("Content-Type"))
	}
	if css := string(s.Do(t, "GET", "/app/static/style.css", "", nil).Body); !strings.Contains(css, "white-space:pre-line") || !strings.Contains(css, "input[type=search]") {
		t.Fatal("the style sheet keeps no line breaks in notes, or leaves the search box unstyled")
	}
	// The service worker, from /app so that its scope is the pages, taken
	// afresh on each load; every file it caches on install is served (one
	// missing would fail the install, and the pages would not open
	// offline). Chromium runs it in TestWebCardAndOfflineEndToEnd where it is installed.
	sw := s.Do(t, "GET", "/app/sw.js", "", nil)
	if sw.Status != 200 || !strings.HasPrefix(sw.Header.Get("Content-Type"), "text/javascript") || sw.Header.Get("Cache-Control") != "no-cache" ||
		sw.Header.Get("Service-Worker-Allowed") != "/app" {
		t.Fatalf("sw.js: %d %q %q %q", sw.Status, sw.Header.Get("Content-Type"), sw.Header.Get("Cache-Control"), sw.Header.Get("Service-Worker-Allowed"))
	}
	cached := regexp.MustCompile(`"(/app/static/[a-z]+\.(js|css))"`).FindAllStringSubmatch(string(sw.Body), -1)
	if len(cached) < 4 {
		t.Fatalf("sw.js caches %d static files: %q", len(cached), cached)
	}
	for _, m := range cached {
		// Not followed to the sign-in page, as a missing file would be.
		r, err := noFollow.Get(s.URL + m[1])
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if ct := r.Header.Get("Content-Type"); r.StatusCode != 200 || !strings.Contains(ct, map[string]string{"js": "javascript", "css": "css"}[m[2]]) {
			t.Errorf("sw.js caches %s: %d %q", m[1], r.StatusCode, ct)
		}
	}

	id := s.MustCreateContact(t, tok, map[string]any{"name": "Grace", "emails": []string{"grace@navy.example", "grace@home.example"}, "phones": []string{"+1 555 0100"}, "notes": "one\ntwo"})
	b := newPhone(t, s)
	b.login("ada@example.com", tok, "")
	_, page := b.get("/app/contacts/" + id)
	for _, want := range []string{">Email grace@navy.example</a>", ">Email grace@home.example</a>", ">Call &#43;1 555 0100</a>", "one\ntwo"} {
		if !strings.Contains(page, want) {
			t.Errorf("the contact page lacks %q", want)
		}
	}

}

func TestWebFollowupGroups(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	id := s.MustCreateContact(t, tok, map[string]any{"name": "Grace"})
	now := s.Clock.Now() // 17:00 UTC, the user's zone
	for i, in := range []time.Duration{-time.Hour, 3 * time.Hour, 72 * time.Hour, 20 * 24 * time.Hour} {
		MustStatus(t, s.Do(t, "POST", "/v1/followups", tok, map[string]any{"contact_id": id, "due_at": now.Add(in).Format(time.RFC3339), "note": fmt.Sprintf("note %d", i)}), 201)
	}
	b := newPhone(t, s)
	b.login("ada@example.com", tok, "")
	_, page := b.get("/app/followups")
	last := -1
	for i, h := range []string{"<h2>Overdue</h2>", "note 0", "<h2>Today</h2>", "note 1", "<h2>This week</h2>", "note 2", "<h2>Later</h2>", "note 3"} {
		at := strings.Index(page, h)
		if at < last {
			t.Fatalf("%q (item %d) is missing or out of order", h, i)
		}
		last = at
	}
	if n := strings.Count(page, `href="/app/contacts/`+id+`"`); n != 4 {
		t.Fatalf("%d follow-up titles link to the contact, want 4", n)
	}
}

// TestWebDuplicateButtonsDiffer: two contacts of one name are told apart
// on the duplicates page — numbered, with their email and since when they
// are known — and each button says which it keeps.
func TestWebDuplicateButtonsDiffer(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	s.MustCreateContact(t, tok, map[string]any{"name": "Jane Doe", "emails": []string{"jane@work.example"}})
	s.Clock.Add(24 * time.Hour)
	s.MustCreateContact(t, tok, map[string]any{"name": "Jane Doe", "emails": []string{"jane@home.example"}})
	b := newPhone(t, s)
	b.login("ada@example.com", tok, "")
	_, page := b.get("/app/duplicates")
	for _, want := range []string{"jane@work.example", "jane@home.example", "Keep 1 (“Jane Doe”, known since 24 Nov 2026), merge 2 into it", "Keep 2 (“Jane Doe”, known since 25 Nov 2026) instead"} {
		if !strings.Contains(page, want) {
			t.Errorf("the duplicates page lacks %q", want)
		}
	}
}
