package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestDeleteAccountFromSettings: the settings page deletes the account
// once its email is typed again and, as it has one, its password; a
// refusal says why beside the field and deletes nothing; then the browser
// is signed out and told to drop the site's caches and storage, and
// neither the session nor the token signs in again.
func TestDeleteAccountFromSettings(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	s.create(t, tok, "/v1/contacts", map[string]any{"name": "Jane Doe"})
	b := newPhone(t, s)
	b.login("ada@example.com", tok, "")
	_, page := b.get("/app/settings")
	mustContain(t, page, `action="/app/settings/delete"`, "Download a backup", "Type your email (ada@example.com) to confirm")
	csrf := hiddenIn(t, page, "csrf")
	if st, _, _ := b.post("/app/settings/password", url.Values{"csrf": {csrf}, "password": {"correct horse battery"}}); st != 200 {
		t.Fatalf("set password: %d", st)
	}
	for _, c := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"confirm": {"eve@example.com"}, "delete_password": {"correct horse battery"}}, `id="confirm-error">Must be this account&#39;s email`},
		{url.Values{"confirm": {"ada@example.com"}}, `id="delete_password-error">Is required to delete an account`},
		{url.Values{"confirm": {"ada@example.com"}, "delete_password": {"wrong horse battery"}}, `id="delete_password-error">That is not your password.`},
	} {
		c.form.Set("csrf", csrf)
		st, page, _ := b.post("/app/settings/delete", c.form)
		if st != 422 || !strings.Contains(page, c.says) || !strings.Contains(page, `<details class="card" id="delete" open>`) {
			t.Fatalf("%v: %d, want 422 saying %s", c.form, st, c.says)
		}
	}
	if got := s.Do(t, "GET", "/v1/contacts", tok, nil); got.Status != 200 || !strings.Contains(string(got.Body), "Jane Doe") {
		t.Fatalf("a refused deletion changed the account: %d", got.Status)
	}
	st, page, resp := b.post("/app/settings/delete", url.Values{"csrf": {csrf}, "confirm": {"ada@example.com"}, "delete_password": {"correct horse battery"}})
	if st != 200 || !strings.Contains(page, "Your account and everything in it are deleted.") || resp.Header.Get("Clear-Site-Data") != `"cache", "storage"` {
		t.Fatalf("delete: %d %q", st, resp.Header.Get("Clear-Site-Data"))
	}
	if _, page := b.get("/app/today"); !strings.Contains(page, `action="/app/login"`) {
		t.Fatal("the deleted account's session still signs in")
	}
	if got := s.Do(t, "GET", "/v1/me", tok, nil); got.Status != 401 {
		t.Fatalf("the deleted account's token: %d", got.Status)
	}
}
