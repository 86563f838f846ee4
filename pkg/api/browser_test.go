package api_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
)

// browser is an HTTP client with cookies, like a phone's browser.
type browser struct {
	t    *testing.T
	s    *TestServer
	c    *http.Client
	last string
}

func newBrowser(t *testing.T, s *TestServer) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, c: &http.Client{Jar: jar}}
}

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

func (b *browser) post(path string, form url.Values) (int, string, *http.Response) {
	b.t.Helper()
	resp, err := b.c.PostForm(b.s.URL+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	b.last = string(body)
	return resp.StatusCode, b.last, resp
}

// login signs in through the form, as a browser does (the form carries
// the CSRF token its cookie matches).
func (b *browser) login(email, token, next string) (int, string, *http.Response) {
	b.t.Helper()
	path := "/app/login"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	_, form := b.get(path)
	v := url.Values{"email": {email}, "token": {token}, "csrf": {hidden(b.t, form, "csrf")}}
	if m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(form); m != nil {
		v.Set("next", html.UnescapeString(m[1]))
	}
	return b.post("/app/login", v)
}

var hiddenRe = regexp.MustCompile(`name="(csrf|form_id|link)" value="([^"]+)"`)

func hidden(t *testing.T, page, name string) string {
	t.Helper()
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	t.Fatalf("no %s in the page", name)
	return ""
}
