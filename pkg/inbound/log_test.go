package inbound_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/inbound"
)

// lookupsAway is the real contact store with its look-ups by key failing
// while away is set, as a store briefly out of reach does.
type lookupsAway struct {
	contacts.Store
	away *atomic.Bool
}

func (l lookupsAway) ContactByKey(ctx context.Context, userID, key string) (*contacts.Contact, error) {
	if l.away.Load() && key == "email:grace@example.com" {
		return nil, apperr.E(apperr.Unavailable, "the store did not answer in time")
	}
	return l.Store.ContactByKey(ctx, userID, key)
}

// TestRetryAfterPartFailure: a message to three contacts fails at the third
// (451, the store out of reach); the sender sends it again and each of the
// three has the message logged once — the first two were not logged a
// second time.
func TestRetryAfterPartFailure(t *testing.T) {
	sv, u, secret := withInbound(t)
	ctx := t.Context()
	ids := map[string]string{}
	for _, email := range []string{"ada@example.com", "alan@example.com", "grace@example.com"} {
		c, err := sv.CRM.Contacts.Create(ctx, u.ID, contacts.Input{Name: email, Emails: []string{email}}, contacts.CreateOpts{})
		if err != nil {
			t.Fatal(err)
		}
		ids[email] = c.ID
	}
	var away atomic.Bool
	sv.CRM.Contacts.Store = lookupsAway{Store: sv.CRM.Contacts.Store, away: &away}
	addr := listening(t, sv)
	msg := "From: Me <me@example.com>\r\nTo: ada@example.com, alan@example.com, grace@example.com\r\nSubject: slides\r\n" +
		"Message-ID: <slides-2@example.com>\r\n\r\nThe slides.\r\n"
	send := func() error {
		return smtp.SendMail(addr, nil, "me@example.com", []string{secret}, []byte(msg))
	}
	away.Store(true)
	var tp *textproto.Error
	if err := send(); !errors.As(err, &tp) || tp.Code != 451 {
		t.Fatalf("with the store away: %v, want 451", err)
	}
	away.Store(false)
	if err := send(); err != nil {
		t.Fatalf("the retry: %v", err)
	}
	for email, id := range ids {
		page, err := sv.CRM.Contacts.Store.Interactions(ctx, u.ID, id, 10, nil)
		if err != nil || len(page.Items) != 1 {
			t.Errorf("%s: %d interactions (%v), want 1", email, len(page.Items), err)
		}
	}
}

// TestOneContactTwoAddresses: a message to two addresses of one contact
// (work and home, in To and Cc), even one without a Message-ID, logs one
// interaction on them.
func TestOneContactTwoAddresses(t *testing.T) {
	sv, u, secret := withInbound(t)
	ctx := t.Context()
	ada, err := sv.CRM.Contacts.Create(ctx, u.ID, contacts.Input{Name: "Ada", Emails: []string{"ada@work.example", "ada@home.example"}}, contacts.CreateOpts{})
	if err != nil {
		t.Fatal(err)
	}
	addr := listening(t, sv)
	msg := "From: Me <me@example.com>\r\nTo: ada@work.example\r\nCc: Ada <ada@home.example>\r\nSubject: slides\r\n\r\nThe slides.\r\n"
	if err := smtp.SendMail(addr, nil, "me@example.com", []string{secret}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	page, err := sv.CRM.Contacts.Store.Interactions(ctx, u.ID, ada.ID, 10, nil)
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%d interactions (%v), want 1", len(page.Items), err)
	}
}

// withInbound is a user of a fresh store with their BCC address (secret).
func withInbound(t *testing.T) (sv *app.Services, u *accounts.User, secret string) {
	t.Helper()
	sv = apptest.Services(enginetest.Fresh(t).Engine, time.Now)
	u, _, err := sv.Accounts.Signup(t.Context(), accounts.SignupInput{Email: "me@example.com", Name: "Me"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if secret, err = sv.Accounts.RotateInbound(t.Context(), u.ID, "rapport.test"); err != nil {
		t.Fatal(err)
	}
	return sv, u, secret
}

// listening starts the SMTP listener that logs mail for sv's users and
// returns its address.
func listening(t *testing.T, sv *app.Services) string {
	t.Helper()
	srv := inbound.New(inbound.Deps{Accounts: sv.Accounts, CRM: sv.CRM, Idempotency: sv.Idempotency, Domain: "rapport.test",
		Logger: slog.New(slog.DiscardHandler)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestLongSubjectLogged: a message whose subject, folded over many header
// lines, is longer than an interaction's notes may be is logged with the
// subject cut ("…") and the body; it was refused, and the message with it.
func TestLongSubjectLogged(t *testing.T) {
	sv, u, secret := withInbound(t)
	ctx := t.Context()
	ada, err := sv.CRM.Contacts.Create(ctx, u.ID, contacts.Input{Name: "Ada", Emails: []string{"ada@example.com"}}, contacts.CreateOpts{})
	if err != nil {
		t.Fatal(err)
	}
	addr := listening(t, sv)
	subject := strings.Repeat("Re: Fwd: the slides\r\n ", 1200) // 24,000 characters unfolded
	msg := "From: Me <me@example.com>\r\nTo: ada@example.com\r\nSubject: " + subject + "end\r\n\r\nThe slides.\r\n"
	if err := smtp.SendMail(addr, nil, "me@example.com", []string{secret}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	page, err := sv.CRM.Contacts.Store.Interactions(ctx, u.ID, ada.ID, 10, nil)
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%d interactions (%v), want 1", len(page.Items), err)
	}
	notes := page.Items[0].Notes
	if !strings.HasPrefix(notes, "Re: Fwd: the slides") || !strings.HasSuffix(notes, "…\n\nThe slides.") {
		t.Fatalf("notes: %.80q … %q", notes, notes[max(0, len(notes)-40):])
	}
}
