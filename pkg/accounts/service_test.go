package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/schedule"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

// newService is the accounts domain on a real (SQLite) store, on a clock
// the test moves.
func newService(t *testing.T) (*accounts.Service, *time.Time) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := accounts.New(&sqlite.Accounts{DB: db}, schedule.Parse)
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	return s, &now
}

func signup(t *testing.T, s *accounts.Service, email string, open bool) (*accounts.User, string) {
	t.Helper()
	u, tok, err := s.Signup(t.Context(), accounts.SignupInput{Email: email, Name: "Ada", Timezone: "Europe/Berlin"}, open)
	if err != nil {
		t.Fatal(err)
	}
	return u, tok.Token
}

// TestSignupAndTokens: the first sign-up is allowed, the next only when
// sign-up is open, an email once; tokens authenticate until deleted, a
// wrong or malformed one never, and each user sees only theirs.
func TestSignupAndTokens(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	if _, _, err := s.Signup(ctx, accounts.SignupInput{Email: "not an email"}, true); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a bad email: %v", err)
	}
	ada, first := signup(t, s, "Ada@Example.com", false)
	if ada.Email != "ada@example.com" || ada.Timezone != "Europe/Berlin" {
		t.Fatalf("signed up %+v", ada)
	}
	if _, _, err := s.Signup(ctx, accounts.SignupInput{Email: "grace@example.com", Name: "Grace"}, false); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a second sign-up while closed: %v", err)
	}
	if _, _, err := s.Signup(ctx, accounts.SignupInput{Email: "ADA@example.com", Name: "Ada"}, true); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("the same email again: %v", err)
	}
	grace, _ := signup(t, s, "grace@example.com", true)

	u, tokID, err := s.Authenticate(ctx, first)
	if err != nil || u.ID != ada.ID || tokID == "" {
		t.Fatalf("authenticate: %v %q %v", u, tokID, err)
	}
	for _, bad := range []string{"", "rk_short", first + "x", strings.Replace(first, first[len(first)-4:], "AAAA", 1)} {
		if _, _, err := s.Authenticate(ctx, bad); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("token %q: %v, want Unauthorized", bad, err)
		}
	}
	if _, err := s.CreateToken(ctx, ada.ID, strings.Repeat("x", 500)); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a long token name: %v", err)
	}
	second, err := s.CreateToken(ctx, ada.ID, "laptop")
	if err != nil {
		t.Fatal(err)
	}
	toks, err := s.Store.Tokens(ctx, ada.ID)
	if err != nil || len(toks) != 2 {
		t.Fatalf("%d tokens (%v)", len(toks), err)
	}
	if err := s.Store.DeleteToken(ctx, grace.ID, second.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user deleting the token: %v", err)
	}
	if err := s.Store.DeleteToken(ctx, ada.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Authenticate(ctx, second.Token); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("a deleted token: %v", err)
	}
	n := 0
	if err := s.ForEachUser(ctx, func(*accounts.User) error { n++; return nil }); err != nil || n != 2 {
		t.Fatalf("ForEachUser saw %d (%v)", n, err)
	}
}

// TestSettingsAndAgenda: settings are patched field by field (a bad
// schedule named), and the next agenda follows the schedule in the user's
// zone, from the later of the last send and the last change.
func TestSettingsAndAgenda(t *testing.T) {
	s, now := newService(t)
	ctx := t.Context()
	ada, _ := signup(t, s, "ada@example.com", false)
	if _, err := s.UpdateSettings(ctx, ada.ID, []byte(`{"agenda": {"enabled": true, "schedule": "every day"}}`)); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "agenda.schedule" {
		t.Fatalf("a bad schedule: %v", err)
	}
	u, err := s.UpdateSettings(ctx, ada.ID, []byte(`{"agenda": {"enabled": true, "schedule": "0 8 * * MON"}}`))
	if err != nil {
		t.Fatal(err)
	}
	next := s.NextAgenda(u, nil)
	want := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC) // Monday 8:00 in Berlin
	if next == nil || !next.Equal(want) {
		t.Fatalf("next agenda %v, want %v", next, want)
	}
	sent := want.Add(time.Minute)
	if n := s.NextAgenda(u, &sent); !n.Equal(want.AddDate(0, 0, 7)) {
		t.Fatalf("after a send: %v", n)
	}
	u.Agenda.Enabled = false
	if s.NextAgenda(u, nil) != nil {
		t.Fatal("an agenda while agendas are off")
	}
	*now = now.Add(time.Hour)
	if _, err := s.UpdateSettings(ctx, "nobody", []byte(`{}`)); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("settings of nobody: %v", err)
	}
}

// TestSessionsAndLinks: a session is found by its secret until it ends
// or expires; a sign-in link works once and not after its time.
func TestSessionsAndLinks(t *testing.T) {
	s, now := newService(t)
	ctx := t.Context()
	ada, _ := signup(t, s, "ada@example.com", false)
	sess, secret, err := s.StartSession(ctx, ada.ID, time.Hour)
	if err != nil || sess.CSRF == "" {
		t.Fatalf("session %+v (%v)", sess, err)
	}
	if got, u, err := s.Session(ctx, secret); err != nil || u.ID != ada.ID || got.CSRF != sess.CSRF {
		t.Fatalf("session lookup: %v %v %v", got, u, err)
	}
	if _, _, err := s.Session(ctx, secret+"x"); err == nil {
		t.Fatal("a wrong session secret was accepted")
	}
	if err := s.EndSession(ctx, sess.Hash); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(ctx, secret); err == nil {
		t.Fatal("an ended session still works")
	}
	_, secret, _ = s.StartSession(ctx, ada.ID, time.Minute)
	*now = now.Add(2 * time.Minute)
	if _, _, err := s.Session(ctx, secret); err == nil {
		t.Fatal("an expired session still works")
	}

	link, err := s.StartLoginLink(ctx, ada.ID, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if u, err := s.UseLoginLink(ctx, link); err != nil || u.ID != ada.ID {
		t.Fatalf("the link: %v %v", u, err)
	}
	if _, err := s.UseLoginLink(ctx, link); err == nil {
		t.Fatal("a sign-in link worked twice")
	}
	late, _ := s.StartLoginLink(ctx, ada.ID, 15*time.Minute)
	*now = now.Add(16 * time.Minute)
	if _, err := s.UseLoginLink(ctx, late); err == nil {
		t.Fatal("a sign-in link worked after its time")
	}
	if u, err := s.UserByEmail(ctx, " ADA@example.com "); err != nil || u.ID != ada.ID {
		t.Fatalf("by email: %v %v", u, err)
	}
}

// TestPasswords: a password is checked (length, NUL), changing it needs
// the current one, and a wrong email or password is the same answer.
func TestPasswords(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	ada, _ := signup(t, s, "ada@example.com", false)
	for _, p := range []string{"short", strings.Repeat("x", 73), "ten chars\x00!"} {
		if err := s.SetPassword(ctx, ada.ID, accounts.PasswordInput{Password: p}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("password %q: %v", p, err)
		}
	}
	if err := s.SetPassword(ctx, ada.ID, accounts.PasswordInput{Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPassword(ctx, ada.ID, accounts.PasswordInput{Password: "another long one"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a change without the current password: %v", err)
	}
	if err := s.SetPassword(ctx, ada.ID, accounts.PasswordInput{Password: "another long one", CurrentPassword: "wrong wrong"}); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("a change with a wrong current password: %v", err)
	}
	if u, err := s.CheckPassword(ctx, "ADA@example.com", "correct horse battery"); err != nil || u.ID != ada.ID {
		t.Fatalf("sign-in: %v %v", u, err)
	}
	for _, tc := range [][2]string{{"ada@example.com", "wrong wrong wrong"}, {"nobody@example.com", "correct horse battery"}} {
		if _, err := s.CheckPassword(ctx, tc[0], tc[1]); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("%v: %v", tc, err)
		}
	}
}

// TestFeedsInboundAndCard: feed tokens and inbound addresses are shown
// once and find their user until rotated; a card is found by its id only
// while enabled, and rotating it retires the old id.
func TestFeedsInboundAndCard(t *testing.T) {
	s, _ := newService(t)
	ctx := t.Context()
	ada, _ := signup(t, s, "ada@example.com", false)
	tok, err := s.FeedToken(ctx, ada.ID)
	if err != nil || tok == "" {
		t.Fatalf("feed token %q (%v)", tok, err)
	}
	if again, _ := s.FeedToken(ctx, ada.ID); again != "" {
		t.Fatal("the feed token was shown twice")
	}
	if u, err := s.FeedUser(ctx, tok); err != nil || u.ID != ada.ID {
		t.Fatalf("feed user: %v %v", u, err)
	}
	rotated, err := s.RotateFeedToken(ctx, ada.ID)
	if err != nil || rotated == tok {
		t.Fatalf("rotated %q (%v)", rotated, err)
	}
	if _, err := s.FeedUser(ctx, tok); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the old feed token: %v", err)
	}
	set, secret, err := s.CreateFeedSet(ctx, ada.ID, "phone")
	if err != nil || secret == "" {
		t.Fatal(err)
	}
	if sets, err := s.Store.FeedSets(ctx, ada.ID); err != nil || len(sets) != 2 {
		t.Fatalf("%d feed sets (%v)", len(sets), err)
	}
	if err := s.Store.DeleteFeedSet(ctx, ada.ID, set.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FeedUser(ctx, secret); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a deleted set's token: %v", err)
	}

	inboundAndCard(t, s, ada.ID)
}

// inboundAndCard: the inbound address is shown once, found in any case and
// gone when rotated; a card is found by its id until rotated.
func inboundAndCard(t *testing.T, s *accounts.Service, userID string) {
	ctx := t.Context()
	addr, shown, err := s.InboundEmail(ctx, userID, "in.example")
	if err != nil || !shown || !strings.HasPrefix(addr, "log+") {
		t.Fatalf("inbound %q %v %v", addr, shown, err)
	}
	if masked, shown, _ := s.InboundEmail(ctx, userID, "in.example"); shown || strings.Contains(masked, addr[4:10]) {
		t.Fatalf("the address was shown twice: %q", masked)
	}
	local := strings.TrimSuffix(addr, "@in.example")
	if u, err := s.InboundUser(ctx, strings.ToUpper(local)); err != nil || u.ID != userID {
		t.Fatalf("inbound user: %v %v", u, err)
	}
	if _, err := s.RotateInbound(ctx, userID, "in.example"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{local, "log+x", "someone"} {
		if _, err := s.InboundUser(ctx, l); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%q: %v", l, err)
		}
	}

	u, err := s.UpdateSettings(ctx, userID, []byte(`{"card": {"enabled": true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.CardOwner(ctx, u.Card.ID); err != nil || got.ID != userID || !got.Card.Asks("name") {
		t.Fatalf("card owner: %v %v", got, err)
	}
	old := u.Card.ID
	if _, err := s.RotateCard(ctx, userID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{old, "short", strings.Repeat("A", 22)} {
		if _, err := s.CardOwner(ctx, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("card %q: %v", id, err)
		}
	}
}
