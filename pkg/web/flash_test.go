package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFlashesSigned: the line a page shows after a form (?notice=,
// ?problem=) is signed for the session. A link from someone else put any
// words there, shown as the app's own ("Your account is locked, call …");
// now such a line, one changed on the way, or one signed for another
// session is not shown, while the app's own still is.
func TestFlashesSigned(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	tok, eveTok := s.signup(t, "ada@example.com"), s.signup(t, "eve@example.com")
	ada, eve := s.signedIn(t, "ada@example.com", tok), s.signedIn(t, "eve@example.com", eveTok)
	// Where saving the settings sends the browser, not followed.
	saved := func(b *browser) *url.URL {
		t.Helper()
		_, page := b.get("/app/settings")
		c := *b.c
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := c.PostForm(s.URL+"/app/settings", url.Values{"csrf": {b.hidden(page, "csrf")}, "name": {"Someone"}, "timezone": {"Europe/Paris"}, "nudge_hour": {"7"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || resp.StatusCode != 303 || u.Query().Get("notice") != "Saved." || u.Query().Get("sig") == "" {
			t.Fatalf("saving the settings: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		return u
	}
	own := saved(ada)
	if _, page := ada.get(own.RequestURI()); !strings.Contains(page, `<p class="notice" role="status">Saved.</p>`) {
		t.Fatalf("the app's own notice is not shown")
	}
	changed := own.Query()
	changed.Set("notice", "Your account is locked; call +1 555 0100.")
	forged := url.Values{"problem": {"Your account is locked; call +1 555 0100."}}
	for what, u := range map[string]string{
		"unsigned":              "/app/settings?" + forged.Encode(),
		"unsigned notice":       "/app/today?notice=" + url.QueryEscape("Your account is locked; call +1 555 0100."),
		"changed":               "/app/settings?" + changed.Encode(),
		"signed for another":    saved(eve).RequestURI(),
		"a signature of dashes": "/app/settings?sig=-&" + forged.Encode(),
	} {
		st, page := ada.get(u)
		if st != 200 || strings.Contains(page, "locked") || strings.Contains(page, "Saved.") {
			t.Errorf("%s: %d, the line shown: %v", what, st, strings.Contains(page, "locked") || strings.Contains(page, "Saved."))
		}
	}
}
