package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// OpenAccounts opens a fresh, empty accounts store for one test.
type OpenAccounts func(tb testing.TB) accounts.Store

func newUser(email string) (*accounts.User, *accounts.Token) {
	u := &accounts.User{ID: nextID(), Email: email, Name: "Ada", Timezone: "Europe/Berlin", NudgeHour: 9,
		Notify:         accounts.Notify{Email: email, WebhookURL: "https://93.184.216.34/hook", WebhookSecret: "s3cret"},
		FollowupPolicy: accounts.Policy{ThankYouDays: 1, CheckInDays: 30, IntroCheckDays: 14},
		Agenda:         accounts.Agenda{Enabled: true, Schedule: "0 8 * * MON"}, CreatedAt: clock, UpdatedAt: clock}
	_, hash := accounts.NewSecret("rpt_")
	return u, &accounts.Token{ID: nextID(), UserID: u.ID, Name: "sign-up", Hash: hash, CreatedAt: clock}
}

// MustCreateUser stores a user with a token or fails the test.
func MustCreateUser(tb testing.TB, s accounts.Store, email string) (*accounts.User, *accounts.Token) {
	tb.Helper()
	u, t := newUser(email)
	if err := s.CreateUser(context.Background(), u, t, false); err != nil {
		tb.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u, t
}

// Accounts runs the accounts.Store contract against open.
func Accounts(t *testing.T, open OpenAccounts) {
	ctx := context.Background()
	t.Run("Passwords", func(t *testing.T) {
		s := open(t)
		u, _ := MustCreateUser(t, s, "pw@example.com")
		if got, err := s.UserByEmail(ctx, "pw@example.com"); err != nil || got.ID != u.ID {
			t.Fatalf("UserByEmail = %v, %v", got, err)
		}
		if _, err := s.UserByEmail(ctx, "nobody@example.com"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown email: %v", err)
		}
		if _, err := s.PasswordHash(ctx, u.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("no password yet: %v", err)
		}
		for _, h := range []string{"h1", "h2"} {
			if err := s.SetPassword(ctx, u.ID, h, clock); err != nil {
				t.Fatal(err)
			}
			if got, err := s.PasswordHash(ctx, u.ID); err != nil || got != h {
				t.Fatalf("PasswordHash = %q, %v; want %q", got, err, h)
			}
		}
	})
	t.Run("Card", func(t *testing.T) {
		s := open(t)
		u, _ := MustCreateUser(t, s, "card@example.com")
		MustCreateUser(t, s, "nocard@example.com") // a user without a card is not found by an empty id
		if _, err := s.UserByCard(ctx, ""); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("UserByCard(\"\") = %v; want NotFound", err)
		}
		u.Card = accounts.Card{Enabled: true, ID: "card-id-1", Key: "k1", Headline: "Go & SQLite", Links: []string{"https://example.com"}, Fields: []string{"email"}}
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		got, err := s.UserByCard(ctx, "card-id-1")
		if err != nil || got.ID != u.ID {
			t.Fatalf("UserByCard = %v, %v", got, err)
		}
		if fmt.Sprint(got.Card) != fmt.Sprint(u.Card) {
			t.Fatalf("card read back as %+v; stored %+v", got.Card, u.Card)
		}
		u.Card.ID, u.Card.Key = "card-id-2", "k2" // rotated
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByCard(ctx, "card-id-1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the rotated id still finds the user: %v", err)
		}
		if got, err := s.UserByCard(ctx, "card-id-2"); err != nil || got.ID != u.ID || got.Card.Key != "k2" {
			t.Fatalf("UserByCard(new) = %v, %v", got, err)
		}
	})
	t.Run("Inbound", func(t *testing.T) {
		s := open(t)
		at := time.Date(2026, 11, 24, 18, 0, 0, 0, time.UTC)
		if ok, err := s.SetInbound(ctx, "u1", "h1", at, false); err != nil || !ok {
			t.Fatalf("first SetInbound: %v, %v", ok, err)
		}
		if ok, err := s.SetInbound(ctx, "u1", "h2", at, false); err != nil || ok {
			t.Fatalf("SetInbound without replace over an existing one: %v, %v", ok, err)
		}
		if id, err := s.InboundUser(ctx, "h1"); err != nil || id != "u1" {
			t.Fatalf("InboundUser(h1) = %q, %v", id, err)
		}
		if ok, err := s.SetInbound(ctx, "u1", "h3", at, true); err != nil || !ok {
			t.Fatalf("replace: %v, %v", ok, err)
		}
		if _, err := s.InboundUser(ctx, "h1"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("the replaced address still works: %v", err)
		}
		if id, err := s.InboundUser(ctx, "h3"); err != nil || id != "u1" {
			t.Fatalf("InboundUser(h3) = %q, %v", id, err)
		}
		if _, err := s.InboundUser(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown hash: %v", err)
		}
	})
	t.Run("FirstUserOnly", func(t *testing.T) {
		s := open(t)
		const n = 6
		errs := make(chan error, n)
		for i := range n {
			go func() {
				u, tok := newUser(fmt.Sprintf("u%d@example.com", i))
				errs <- s.CreateUser(ctx, u, tok, true)
			}()
		}
		created := 0
		for range n {
			switch err := <-errs; {
			case err == nil:
				created++
			case apperr.KindOf(err) != apperr.Forbidden:
				t.Fatalf("err=%v, want nil or Forbidden", err)
			}
		}
		var users []string
		s.Users(ctx, func(u *accounts.User) error { users = append(users, u.Email); return nil })
		if created != 1 || len(users) != 1 {
			t.Fatalf("%d sign-ups succeeded, %d users stored; want one of each", created, len(users))
		}
		u, tok := newUser("open@example.com")
		if err := s.CreateUser(ctx, u, tok, false); err != nil {
			t.Fatalf("open sign-up: %v", err)
		}
	})
	t.Run("ErrClosedAfterOpenSignup", func(t *testing.T) {
		// A server that ran with open sign-up, restarted with it closed.
		s := open(t)
		u, tok := newUser("first@example.com")
		if err := s.CreateUser(ctx, u, tok, false); err != nil {
			t.Fatal(err)
		}
		u2, tok2 := newUser("second@example.com")
		wantKind(t, s.CreateUser(ctx, u2, tok2, true), apperr.Forbidden)
	})
	t.Run("UserRoundTrip", func(t *testing.T) {
		s := open(t)
		u, tok := MustCreateUser(t, s, "ada@example.com")
		got, err := s.User(ctx, u.ID)
		if err != nil || fmt.Sprint(*got) != fmt.Sprint(*u) {
			t.Fatalf("User=%+v, %v; want %+v", got, err, u)
		}
		if got, err := s.TokenByHash(ctx, tok.Hash); err != nil || got.ID != tok.ID || got.UserID != u.ID {
			t.Fatalf("TokenByHash=%+v, %v", got, err)
		}
		wantKind(t, errOf(s.User(ctx, "nobody")), apperr.NotFound)
		dup, dtok := newUser("ada@example.com")
		wantKind(t, s.CreateUser(ctx, dup, dtok, false), apperr.Conflict)
		wantKind(t, errOf(s.TokenByHash(ctx, dtok.Hash)), apperr.NotFound) // nothing of the refused sign-up
		u.Name, u.NudgeHour, u.UpdatedAt = "Ada L.", 7, clock.Add(time.Hour)
		if err := s.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.User(ctx, u.ID); got.Name != "Ada L." || got.NudgeHour != 7 || got.Notify.WebhookSecret != "s3cret" {
			t.Fatalf("after update: %+v", got)
		}
		ghost, _ := newUser("ghost@example.com")
		wantKind(t, s.UpdateUser(ctx, ghost), apperr.NotFound)
	})
	t.Run("Tokens", func(t *testing.T) {
		s := open(t)
		a, first := MustCreateUser(t, s, "a@example.com")
		b, _ := MustCreateUser(t, s, "b@example.com")
		_, hash := accounts.NewSecret("rpt_")
		second := &accounts.Token{ID: nextID(), UserID: a.ID, Name: "laptop", Hash: hash, CreatedAt: clock.Add(time.Minute)}
		if err := s.CreateToken(ctx, second); err != nil {
			t.Fatal(err)
		}
		list, err := s.Tokens(ctx, a.ID)
		if err != nil || len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID {
			t.Fatalf("Tokens=%+v, %v", list, err)
		}
		wantKind(t, s.DeleteToken(ctx, b.ID, second.ID), apperr.NotFound) // another user's
		if err := s.TouchToken(ctx, second.ID, clock.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.TokenByHash(ctx, hash); got.LastUsedAt == nil || !got.LastUsedAt.Equal(clock.Add(2*time.Hour)) {
			t.Fatalf("last used: %+v", got)
		}
		if err := s.DeleteToken(ctx, a.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, errOf(s.TokenByHash(ctx, hash)), apperr.NotFound)
	})
	t.Run("FeedSets", func(t *testing.T) {
		s := open(t)
		a, _ := MustCreateUser(t, s, "a@example.com")
		b, _ := MustCreateUser(t, s, "b@example.com")
		mk := func(userID, id, name string, at time.Time) *accounts.FeedSet {
			_, hash := accounts.NewSecret("rfd_")
			return &accounts.FeedSet{Hash: hash, UserID: userID, ID: id, Name: name, CreatedAt: at}
		}
		def := mk(a.ID, "default-"+a.ID, "Default", clock)
		ipad := mk(a.ID, "set-ipad", "iPad", clock.Add(time.Minute))
		for _, f := range []*accounts.FeedSet{def, ipad} {
			if err := s.CreateFeedSet(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		wantKind(t, s.CreateFeedSet(ctx, mk(a.ID, "default-"+a.ID, "Default again", clock)), apperr.Conflict)
		list, err := s.FeedSets(ctx, a.ID)
		if err != nil || len(list) != 2 || list[0].ID != def.ID || list[1].Name != "iPad" {
			t.Fatalf("FeedSets=%+v, %v", list, err)
		}
		if got, err := s.FeedSetByHash(ctx, ipad.Hash); err != nil || got.ID != "set-ipad" || got.UserID != a.ID {
			t.Fatalf("FeedSetByHash=%+v, %v", got, err)
		}
		if err := s.TouchFeedSet(ctx, ipad.Hash, clock.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.FeedSetByHash(ctx, ipad.Hash); got.LastUsedAt == nil || !got.LastUsedAt.Equal(clock.Add(time.Hour)) {
			t.Fatalf("last used: %+v", got)
		}
		wantKind(t, s.DeleteFeedSet(ctx, b.ID, "set-ipad"), apperr.NotFound)
		if err := s.DeleteFeedSet(ctx, a.ID, "set-ipad"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, errOf(s.FeedSetByHash(ctx, ipad.Hash)), apperr.NotFound)
		if _, err := s.FeedSetByHash(ctx, def.Hash); err != nil {
			t.Fatalf("deleting one set removed another: %v", err)
		}
	})
	t.Run("Sessions", func(t *testing.T) {
		s := open(t)
		u, _ := MustCreateUser(t, s, "a@example.com")
		_, hash := accounts.NewSecret("rws_")
		sess := &accounts.Session{Hash: hash, UserID: u.ID, CSRF: "csrf-token", ExpiresAt: clock.Add(24 * time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.Session(ctx, hash)
		if err != nil || got.UserID != u.ID || got.CSRF != "csrf-token" || !got.ExpiresAt.Equal(sess.ExpiresAt) {
			t.Fatalf("Session=%+v, %v", got, err)
		}
		wantKind(t, s.CreateSession(ctx, sess), apperr.Conflict)
		if err := s.DeleteSession(ctx, hash); err != nil {
			t.Fatal(err)
		}
		wantKind(t, errOf(s.Session(ctx, hash)), apperr.NotFound)
		wantKind(t, s.DeleteSession(ctx, hash), apperr.NotFound)
	})
}
