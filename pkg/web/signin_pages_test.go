package web_test

import (
	"bytes"
	"encoding/base64"
	"html"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/delivery"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/mailtest"
	"github.com/rapport-crm/rapport/pkg/tooltest"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestWebSignup: the first account can be made from the phone: with its
// password, signed in at once, its API token shown once; the next one is
// refused unless sign-up is open; a short password is a field error.
func TestWebSignup(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	b := newPhone(t, s)
	_, page := b.get("/app/signup")
	form := url.Values{"csrf": {hiddenIn(t, page, "csrf")}, "name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "password": {"short"}}
	if st, page, _ := b.post("/app/signup", form); st != 422 || !strings.Contains(page, "Use 10 to 72 characters.") {
		t.Fatalf("a short password: %d", st)
	}
	_, page = b.get("/app/signup")
	form.Set("csrf", hiddenIn(t, page, "csrf"))
	form.Set("password", "correct horse battery")
	st, page, _ := b.post("/app/signup", form)
	if st != 201 || !strings.Contains(page, "Welcome, Ada Lovelace") {
		t.Fatalf("sign-up: %d", st)
	}
	tok := page[strings.Index(page, `value="rpt_`)+len(`value="`):]
	tok = tok[:strings.IndexByte(tok, '"')]
	MustStatus(t, s.Do(t, "GET", "/v1/me", tok, nil), 200)
	if st, page := b.get("/app"); st != 200 || !strings.Contains(page, "Log a contact") {
		t.Fatalf("not signed in after sign-up: %d", st)
	}
	// Signed in again elsewhere with the password.
	if st, page, _ := newPhone(t, s).login("ada@example.com", "correct horse battery", ""); st != 200 || !strings.Contains(page, "Log a contact") {
		t.Fatalf("sign-in with the new password: %d", st)
	}
	// A second account: closed server.
	other := newPhone(t, s)
	_, page = other.get("/app/signup")
	form = url.Values{"csrf": {hiddenIn(t, page, "csrf")}, "name": {"Eve"}, "email": {"eve@example.com"}, "password": {"correct horse battery"}}
	if st, _, _ := other.post("/app/signup", form); st != 403 {
		t.Fatalf("a second sign-up on a closed server: %d", st)
	}
	// No CSRF cookie: refused.
	if st, _, _ := newPhone(t, s).post("/app/signup", form); st != 403 {
		t.Fatalf("sign-up without the form's cookie: %d", st)
	}
}

// TestWebSignInLink: with SMTP configured the sign-in page offers a link
// by email; the answer is the same for an unknown email (and nothing is
// sent); the link opens a confirm button (a mail scanner's GET uses
// nothing), signs in once, and not after 15 minutes.
func TestWebSignInLink(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	m, err := delivery.NewMailer(smtpSrv.URL(), "rapport@example.com")
	if err != nil {
		t.Fatal(err)
	}
	s := MustServe(t, withMailer(m))
	_, adaTok := s.MustSignup(t, "ada@example.com")
	ask := func(b *phone, email string) string {
		t.Helper()
		_, page := b.get("/app/login")
		if !strings.Contains(page, "Email me a sign-in link") {
			t.Fatal("no sign-in link offered")
		}
		st, page, _ := b.post("/app/login/link", url.Values{"csrf": {hiddenIn(t, page, "csrf")}, "email": {email}})
		if st != 200 || !strings.Contains(page, "a sign-in link is on its way") {
			t.Fatalf("asking for a link: %d", st)
		}
		return page
	}
	b := newPhone(t, s)
	ask(b, "nobody@example.com")
	if n := len(smtpSrv.Messages()); n != 0 {
		t.Fatalf("%d emails for an unknown address", n)
	}
	ask(b, "ADA@example.com")
	// The email goes out after the answer, which is the same (and as
	// quick) for an unknown address.
	msgs := waitMessages(t, smtpSrv, 1)
	if len(msgs) != 1 || msgs[0].To[0] != "ada@example.com" {
		t.Fatalf("emails: %+v", msgs)
	}
	body := decodeQP(msgs[0].Data)
	i := strings.Index(body, "http://rapport.test/app/login/link?t=")
	if i < 0 {
		t.Fatalf("no link in the email:\n%s", body)
	}
	link := strings.TrimPrefix(strings.Fields(body[i:])[0], "http://rapport.test")
	use := func(b *phone) int {
		t.Helper()
		st, page := b.get(link)
		if st != 200 || !strings.Contains(page, `action="/app/login/link/use"`) {
			t.Fatalf("opening the link: %d", st)
		}
		st, _, _ = b.post("/app/login/link/use", url.Values{"csrf": {hiddenIn(t, page, "csrf")}, "link": {hiddenIn(t, page, "link")}})
		return st
	}
	phone := newPhone(t, s)
	if st := use(phone); st != 200 {
		t.Fatalf("using the link: %d", st)
	}
	if _, page := phone.get("/app"); !strings.Contains(page, "Log a contact") {
		t.Fatal("not signed in with the link")
	}
	if st := use(newPhone(t, s)); st != 401 {
		t.Fatalf("the link used twice: %d", st)
	}
	ask(b, "ada@example.com")
	late := decodeQP(waitMessages(t, smtpSrv, 2)[1].Data)
	j := strings.Index(late, "http://rapport.test/app/login/link?t=")
	link = strings.TrimPrefix(strings.Fields(late[j:])[0], "http://rapport.test")
	// The link is no session: its secret as a session cookie (as the
	// link is stored) neither shows a page nor posts a form with an empty
	// CSRF token.
	lu, _ := url.Parse(link)
	for _, cookie := range []string{"rapport_session=link:" + lu.Query().Get("t"), "rapport_session=" + lu.Query().Get("t")} {
		if r := s.Do(t, "GET", "/app", "", nil, "Cookie", cookie); !strings.Contains(string(r.Body), "<title>Sign in") || strings.Contains(string(r.Body), "Log a contact") {
			t.Fatalf("%s shows the signed-in page: %d\n%s", cookie, r.Status, r.Body)
		}
		s.Do(t, "POST", "/app/settings", "", "csrf=&name=Mallory&timezone=UTC&nudge_hour=9", "Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded")
	}
	if me := s.Do(t, "GET", "/v1/me", adaTok, nil).JSON(t); me["name"] == "Mallory" {
		t.Fatal("a form posted with the link as a cookie changed the account")
	}
	s.Clock.Add(16 * time.Minute)
	if st := use(newPhone(t, s)); st != 401 {
		t.Fatalf("a link after 16 minutes: %d", st)
	}
}

// waitMessages waits until srv has received n messages and returns them.
func waitMessages(t *testing.T, srv *mailtest.Server, n int) []mailtest.Message {
	t.Helper()
	for range 200 {
		if msgs := srv.Messages(); len(msgs) >= n {
			return msgs
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%d emails, want %d", len(srv.Messages()), n)
	return nil
}

// decodeQP undoes quoted-printable (go-mail's text encoding) on a whole
// message, enough to find a link in it.
func decodeQP(raw []byte) string {
	b, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	return string(b)
}

// TestWebPasswordsAsTyped: a password is what was typed, spaces included,
// on the API and on the sign-in form alike; bcrypt reads only 72 bytes, so
// no password longer than that can be set, and none signs in.
func TestWebPasswordsAsTyped(t *testing.T) {
	t.Parallel()
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "spaces@example.com")
	spaced := "  correct horse battery  "
	MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": spaced}), 204)
	if st, page, _ := newPhone(t, s).login("spaces@example.com", spaced, ""); st != 200 || !strings.Contains(page, "Log a contact") {
		t.Fatalf("the password as set, spaces included: %d", st)
	}
	if st, _, _ := newPhone(t, s).login("spaces@example.com", strings.TrimSpace(spaced), ""); st != 401 {
		t.Fatalf("the password without its spaces: %d, want 401", st)
	}

	_, tok = s.MustSignup(t, "long@example.com")
	long := strings.Repeat("0123456789", 7) + "ab" // 72 bytes
	MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": long + "c"}), 422)
	MustStatus(t, s.Do(t, "PUT", "/v1/me/password", tok, map[string]any{"password": long}), 204)
	if st, _, _ := newPhone(t, s).login("long@example.com", long+"anything", ""); st != 401 {
		t.Fatalf("72 bytes and more: %d, want 401", st)
	}
	if st, _, _ := newPhone(t, s).login("long@example.com", long, ""); st != 200 {
		t.Fatalf("the 72-byte password: %d", st)
	}
}

// TestWebFirstRun: the server's own address leads to the pages, and the
// pages a newcomer sees say things in words and link where to do them,
// instead of quoting API calls.
func TestWebFirstRun(t *testing.T) {
	t.Parallel()
	s := MustServe(t, openSignup)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "/app" {
		t.Fatalf("GET /: %d → %q, want 302 → /app", r.StatusCode, r.Header.Get("Location"))
	}
	b := newPhone(t, s)
	_, login := b.get("/app/login")
	_, form := b.get("/app/signup")
	st, welcome, _ := b.post("/app/signup", url.Values{"csrf": {hiddenIn(t, form, "csrf")}, "name": {"Ada"}, "email": {"ada@example.com"}, "password": {"correct horse battery"}})
	if st != http.StatusCreated || !strings.Contains(welcome, "api-token") {
		t.Fatalf("sign-up: %d", st)
	}
	_, calForm := b.get("/app/calendar")
	_, calendar, _ := b.post("/app/calendar/links", url.Values{"csrf": {hiddenIn(t, calForm, "csrf")}})
	for name, page := range map[string]string{"sign-in": login, "welcome": welcome, "calendar": calendar} {
		if strings.Contains(page, "/v1/") {
			t.Errorf("the %s page quotes an API call", name)
		}
		if !strings.Contains(page, `href="/app/settings"`) {
			t.Errorf("the %s page does not link Settings", name)
		}
	}
}

// TestWebSmallThings: a favicon instead of a 404 on every page; a
// contact's Email and Call buttons say which address and number; notes
// keep their line breaks.
// TestWebDevices: the devices page makes a named token, shown once with a
// QR code and an iOS/macOS profile that plistlib reads (CardDAV and
// CalDAV accounts with the email and the token), and the token signs a
// DAV client in; the page lists it with its last use and revokes it (then
// it signs nothing in), another user's token is a 404, a nameless one
// says why; the BCC address is rotated and shown in full. Phone sign-up
// keeps the browser's time zone.
func TestWebDevices(t *testing.T) {
	t.Parallel()
	s := MustServe(t, openSignup, func(_ *api.Deps, w *web.Deps) { w.InboundDomain = "rapport.test" })
	b := newPhone(t, s)
	_, form := b.get("/app/signup")
	st, welcome, _ := b.post("/app/signup", url.Values{"csrf": {hiddenIn(t, form, "csrf")}, "name": {"Ada"}, "email": {"ada@example.com"},
		"password": {"correct horse battery"}, "timezone": {"Europe/Berlin"}})
	adaTok := regexp.MustCompile(`id="api-token" type="text" readonly value="([^"]+)"`).FindStringSubmatch(welcome)
	if st != http.StatusCreated || adaTok == nil {
		t.Fatalf("sign-up: %d", st)
	}
	if tz := s.Do(t, "GET", "/v1/me", adaTok[1], nil).JSON(t)["timezone"]; tz != "Europe/Berlin" {
		t.Fatalf("the time zone after a phone sign-up: %v", tz)
	}
	_, page := b.get("/app/settings/devices")
	if !strings.Contains(page, "http://rapport.test/mcp") || !strings.Contains(page, "http://rapport.test/dav/card/me/books/rapport/") || !strings.Contains(page, "@rapport.test") {
		t.Fatal("the devices page lacks the addresses")
	}
	csrf := hiddenIn(t, page, "csrf")
	if st, page, _ := b.post("/app/settings/devices/tokens", url.Values{"csrf": {csrf}, "name": {" "}}); st != 422 || !strings.Contains(page, "Name the device") {
		t.Fatalf("a token without a name: %d", st)
	}
	long := strings.Repeat("n", input.MaxName+1)
	if st, page, _ := b.post("/app/settings/devices/tokens", url.Values{"csrf": {csrf}, "name": {long}}); st != 422 || strings.Contains(page, "Name the device") ||
		!strings.Contains(page, "Is 201 characters long; at most 200.") || !strings.Contains(page, `value="`+long+`"`) {
		t.Fatalf("a token with a name past 200 characters: %d", st)
	}
	st, page, _ = b.post("/app/settings/devices/tokens", url.Values{"csrf": {csrf}, "name": {"iPhone"}})
	tok := regexp.MustCompile(`value="(rpt_[^"]+)"`).FindStringSubmatch(page)
	profile := regexp.MustCompile(`href="data:application/x-apple-aspen-config;base64,([^"]+)"`).FindStringSubmatch(page)
	if st != http.StatusCreated || tok == nil || profile == nil || !strings.Contains(page, `src="data:image/png;base64,`) {
		t.Fatalf("making a token: %d", st)
	}
	raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(profile[1]))
	if err != nil {
		t.Fatal(err)
	}
	// A subtest: without Python (skipped there), the rest still runs.
	t.Run("ProfileReadByPlistlib", func(t *testing.T) {
		python := tooltest.NeedPython(t)
		cmd := exec.Command(python, "-c", `import plistlib, sys, json
p = plistlib.loads(sys.stdin.buffer.read())
print(json.dumps([(a["PayloadType"], a.get("CardDAVUsername") or a.get("CalDAVUsername"), a.get("CardDAVPassword") or a.get("CalDAVPassword")) for a in p["PayloadContent"]]))`)
		cmd.Stdin = bytes.NewReader(raw)
		out, err := cmd.CombinedOutput()
		want := `[["com.apple.carddav.account", "ada@example.com", "` + tok[1] + `"], ["com.apple.caldav.account", "ada@example.com", "` + tok[1] + `"]]`
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Fatalf("plistlib reads the profile as %s (%v), want %s", out, err, want)
		}
	})
	// The token signs in (the API here; the DAV server takes the same
	// tokens, and its tests sign in with them).
	signsIn := func() int { return s.Do(t, "GET", "/v1/me", tok[1], nil).Status }
	if st := signsIn(); st != 200 {
		t.Fatalf("the new token: %d", st)
	}
	_, page = b.get("/app/settings/devices")
	id := regexp.MustCompile(`action="/app/settings/devices/tokens/([0-9a-f]+)/revoke"`).FindAllStringSubmatch(page, -1)
	if len(id) != 2 || !strings.Contains(page, "iPhone") || !strings.Contains(page, "last used") {
		t.Fatalf("the tokens listed: %v", id)
	}
	_, eveTok := s.MustSignup(t, "eve@example.com")
	eveID := s.Do(t, "GET", "/v1/tokens", eveTok, nil).JSON(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	if st, _, _ := b.post("/app/settings/devices/tokens/"+eveID+"/revoke", url.Values{"csrf": {csrf}}); st != 404 {
		t.Fatalf("revoking another user's token: %d", st)
	}
	MustStatus(t, s.Do(t, "GET", "/v1/me", eveTok, nil), 200)
	for _, m := range id {
		b.post("/app/settings/devices/tokens/"+m[1]+"/revoke", url.Values{"csrf": {csrf}})
	}
	if st := signsIn(); st != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d", st)
	}
	st, page, _ = b.post("/app/settings/devices/inbound/rotate", url.Values{"csrf": {csrf}})
	if st != 200 || !regexp.MustCompile(`value="log(\+|&#43;)[a-z0-9]{26}@rapport.test"`).MatchString(page) {
		t.Fatalf("rotating the BCC address: %d", st)
	}
	if _, page := b.get("/app/settings"); !strings.Contains(page, `href="/app/settings/devices"`) {
		t.Fatal("settings do not link the devices page")
	}
}

// TestWebFollowupGroups: the follow-ups page groups by when they are due —
// overdue, today, this week, later — and each title leads to its contact.

// TestWebSignInLinksPerEmail: one email is sent at most LinkMailsPerEmail
// sign-in links in 15 minutes, however many ask (each address's own limit
// bounds only what it asks); the answer stays the same, and the next 15
// minutes send again.
func TestWebSignInLinksPerEmail(t *testing.T) {
	t.Parallel()
	smtpSrv := mailtest.Start(t)
	m, err := delivery.NewMailer(smtpSrv.URL(), "rapport@example.com")
	if err != nil {
		t.Fatal(err)
	}
	s := MustServe(t, withMailer(m), openSignup)
	s.MustSignup(t, "ada@example.com")
	s.MustSignup(t, "bo@example.com")
	ask := func(email string) {
		t.Helper()
		b := newPhone(t, s)
		_, page := b.get("/app/login")
		st, page, _ := b.post("/app/login/link", url.Values{"csrf": {hiddenIn(t, page, "csrf")}, "email": {email}})
		if st != 200 || !strings.Contains(page, "a sign-in link is on its way") {
			t.Fatalf("asking for a link for %s: %d", email, st)
		}
	}
	to := func(email string) int {
		n := 0
		for _, msg := range smtpSrv.Messages() {
			if msg.To[0] == email {
				n++
			}
		}
		return n
	}
	for range web.LinkMailsPerEmail {
		ask("ada@example.com")
	}
	waitMessages(t, smtpSrv, web.LinkMailsPerEmail)
	ask("ADA@example.com")
	ask("ada@example.com")
	// Bo's link, asked after, arrives after any more of Ada's would have.
	ask("bo@example.com")
	waitMessages(t, smtpSrv, web.LinkMailsPerEmail+1)
	if n := to("ada@example.com"); n != web.LinkMailsPerEmail {
		t.Fatalf("%d links sent to one email, want %d", n, web.LinkMailsPerEmail)
	}
	s.Clock.Add(16 * time.Minute)
	ask("ada@example.com")
	waitMessages(t, smtpSrv, web.LinkMailsPerEmail+2)
	if n := to("ada@example.com"); n != web.LinkMailsPerEmail+1 {
		t.Fatalf("after 15 minutes: %d links sent, want %d", n, web.LinkMailsPerEmail+1)
	}
}
