package web_test

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
	"github.com/rapport-crm/rapport/pkg/routetest"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/web"
)

// The desk's tests drive its pages through their forms on a real server:
// the API and the pages on one Fiber app, on 127.0.0.1, on SQLite or (with
// RAPPORT_TEST_ENGINE=mongodb) on the MongoDB adapter over FerretDB — as
// cmd/server mounts them.

// TestMain runs the tests (on FerretDB too when asked), then fails the
// run for a page route no test called.
//
// Each test runs beside the others (t.Parallel) but those that set one of
// the package's variables for their length (web.Set*, web.HoldSaving,
// sendTwice): go test ./... starts this package last, so it ran alone on
// one of CI's two cores for its last minute and a half.
func TestMain(m *testing.M) {
	apptest.KeepIdleConnections()
	os.Exit(routes.Check("pkg/web", mongotest.Run(m)))
}

// routes are the pages' routes (those web.Register adds to the API's app),
// each of which this package's tests call.
var routes routetest.Routes

// server is the running app.
type server struct {
	URL   string
	Clock *apptest.Clock
	CRM   *crm.Service
	// Idempotency keeps its idempotency keys and holds.
	Idempotency *idempotency.Store
	// Downloads are the users' turns at downloading their whole account;
	// Requests at running a request.
	Downloads, Requests *ratelimit.Turns
	// SQL is the embedded store the app runs on (nil on MongoDB); Store
	// the MongoDB-wire one (nil on SQLite).
	SQL   *sqlite.DB
	Store *mongodb.DB
	// Routes are the pages' routes ("METHOD /pattern").
	Routes map[string]bool
}

// serverOpt changes how a test server is built (the API's and the pages'
// deps), before either starts.
type serverOpt = apptest.Option

// openSignup lets anyone sign up (the desk's tests make several users).
func openSignup(d *api.Deps, w *web.Deps) { d.OpenSignup, w.OpenSignup = true, true }

// withMailer gives the pages a mailer (sign-in links).
func withMailer(m dispatch.Mailer) serverOpt { return func(_ *api.Deps, w *web.Deps) { w.Mailer = m } }

// mustServe starts the app on a fresh store with open sign-up.
func mustServe(t *testing.T) *server { return MustServe(t, openSignup) }

// MustServe starts the app on a fresh store: SQLite, or the MongoDB
// adapter with RAPPORT_TEST_ENGINE=mongodb. Sign-up is open to the first
// user only unless an option opens it.
func MustServe(t *testing.T, opts ...serverOpt) *server {
	t.Helper()
	st := enginetest.Fresh(t)
	a := apptest.Serve(t, st.Engine, opts...)
	routes.Want(a.PageRoutes)
	t.Cleanup(func() { routes.Called(a.Registry) })
	return &server{URL: a.URL, Clock: a.Clock, CRM: a.Services.CRM, Idempotency: a.Services.Idempotency, Downloads: a.Downloads, Requests: a.Requests, SQL: st.SQL, Store: st.Mongo, Routes: a.PageRoutes}
}

// api calls the JSON API with a token and decodes the answer into out
// (when not nil); it fails the test on a status other than want.
func (s *server) api(t *testing.T, method, path, token string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

// signup makes a user; it returns the user's API token.
func (s *server) signup(t *testing.T, email string) string {
	t.Helper()
	var out struct{ Token string }
	s.api(t, "POST", "/v1/signup", "", map[string]any{"email": email, "name": "User " + email}, 201, &out)
	return out.Token
}

// create POSTs body and returns the new record's id.
func (s *server) create(t *testing.T, token, path string, body any) string {
	t.Helper()
	var out struct{ ID string }
	s.api(t, "POST", path, token, body, 201, &out)
	return out.ID
}

// browser is an HTTP client with cookies, signed in as one user.
type browser struct {
	t    *testing.T
	s    *server
	c    *http.Client
	last string
}

// signedIn is a browser signed in through the form as email.
func (s *server) signedIn(t *testing.T, email, token string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, s: s, c: &http.Client{Jar: jar}}
	_, form := b.get("/app/login")
	if st, page := b.post("/app/login", url.Values{"email": {email}, "token": {token}, "csrf": {b.hidden(form, "csrf")}}); st != 200 {
		t.Fatalf("sign-in: %d %s", st, page)
	}
	return b
}

// visitor is a browser nobody signed in to: someone who scanned a card.
func (s *server) visitor(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, c: &http.Client{Jar: jar}}
}

// get loads a page, following redirects.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.s.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.last = string(body)
	return resp.StatusCode, b.last
}

// post submits a form (its csrf added from the last page when absent),
// following redirects.
func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	if form.Get("csrf") == "" && strings.Contains(b.last, `name="csrf"`) {
		form.Set("csrf", b.hidden(b.last, "csrf"))
	}
	resp, err := b.c.PostForm(b.s.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.last = string(body)
	return resp.StatusCode, b.last
}

var hiddenRe = regexp.MustCompile(`name="([a-z_]+)" value="([^"]*)"`)

// hidden is the value of the first input named name in page.
func (b *browser) hidden(page, name string) string {
	b.t.Helper()
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return html.UnescapeString(m[2])
		}
	}
	b.t.Fatalf("no %s in the page", name)
	return ""
}

// mustContain fails unless page holds every one of want (HTML-escaped as
// a template writes text).
func mustContain(t *testing.T, page string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, html.EscapeString(w)) && !strings.Contains(page, w) {
			t.Errorf("the page lacks %q", w)
		}
	}
}

// csrf is the session's form token, as a page gives it (one for the
// session: forms sent one after another carry the same).
func (b *browser) csrf() string {
	b.t.Helper()
	_, page := b.get("/app/today")
	return b.hidden(page, "csrf")
}

// upload posts a multipart form: fields, and one file under field.
func (b *browser) upload(path, field, name string, data []byte, fields url.Values) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if fields.Get("csrf") == "" {
		fields.Set("csrf", b.hidden(b.last, "csrf"))
	}
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if name != "" {
		fw, _ := w.CreateFormFile(field, name)
		fw.Write(data)
	}
	w.Close()
	resp, err := b.c.Post(b.s.URL+path, w.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	b.last = string(out)
	return resp.StatusCode, b.last
}

// form is the fields of the form whose action is action in page (its
// hidden inputs), to post back as a browser would.
func form(page, action string) url.Values {
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		return nil
	}
	end := strings.Index(page[i:], "</form>")
	v := url.Values{}
	for _, m := range inputRe.FindAllStringSubmatch(page[i:i+end], -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	return v
}

var inputRe = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)
