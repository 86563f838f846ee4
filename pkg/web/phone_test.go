package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
)

// phone is an HTTP client with cookies, like a phone's browser (the
// phone pages' tests, moved here from pkg/api).
type phone struct {
	t    *testing.T
	s    *server
	c    *http.Client
	last string
}

func newPhone(t *testing.T, s *server) *phone {
	jar, _ := cookiejar.New(nil)
	return &phone{t: t, s: s, c: &http.Client{Jar: jar}}
}

func (b *phone) get(path string) (int, string) {
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

func (b *phone) post(path string, form url.Values) (int, string, *http.Response) {
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
func (b *phone) login(email, token, next string) (int, string, *http.Response) {
	b.t.Helper()
	path := "/app/login"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	_, form := b.get(path)
	v := url.Values{"email": {email}, "token": {token}, "csrf": {hiddenIn(b.t, form, "csrf")}}
	if m := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(form); m != nil {
		v.Set("next", html.UnescapeString(m[1]))
	}
	return b.post("/app/login", v)
}

var phoneHiddenRe = regexp.MustCompile(`name="(csrf|form_id|link)" value="([^"]+)"`)

func hiddenIn(t *testing.T, page, name string) string {
	t.Helper()
	for _, m := range phoneHiddenRe.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return m[2]
		}
	}
	t.Fatalf("no %s in the page", name)
	return ""
}
