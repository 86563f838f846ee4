// Package delivery is the adapter that takes follow-up nudges out of the
// process: email through an SMTP server (go-mail) and signed webhooks over
// HTTP. The follow-up rules in pkg/followup declare what they need
// (dispatch.Mailer, dispatch.WebhookPoster) and link neither.
package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/wneessen/go-mail"
)

// Mailer sends email through the SMTP server of CRM_SMTP_URL; it is a
// dispatch.Mailer.
type Mailer struct {
	host      string
	opts      []mail.Option
	From      string
	msgDomain string
}

// NewMailer configures a Mailer from an smtp:// (STARTTLS when offered) or
// smtps:// (implicit TLS) URL; ?starttls=required|none overrides STARTTLS.
func NewMailer(rawURL, from string) (*Mailer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("CRM_SMTP_URL: %w", err)
	}
	m := &Mailer{host: u.Hostname(), From: from, msgDomain: "rapport.local"}
	if at := bytes.LastIndexByte([]byte(from), '@'); at >= 0 {
		m.msgDomain = from[at+1:]
	}
	port := 25
	if u.Scheme == "smtps" {
		port = 465
		m.opts = append(m.opts, mail.WithSSL())
	} else {
		policy := mail.TLSOpportunistic
		switch u.Query().Get("starttls") {
		case "required":
			policy = mail.TLSMandatory
		case "none":
			policy = mail.NoTLS
		}
		m.opts = append(m.opts, mail.WithTLSPolicy(policy))
	}
	if p := u.Port(); p != "" {
		port, _ = strconv.Atoi(p)
	}
	m.opts = append(m.opts, mail.WithPort(port), mail.WithTimeout(20*time.Second)) // within the dispatcher's sendBudget
	if u.User != nil {
		pass, _ := u.User.Password()
		m.opts = append(m.opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	return m, nil
}

// MessageID returns a Message-ID for a stable key, so a message sent again
// after a crash can be recognised as a repeat by the receiver.
func (m *Mailer) MessageID(key string) string {
	return key + "@" + m.msgDomain
}

// Send delivers e.
func (m *Mailer) Send(ctx context.Context, e dispatch.Email) error {
	msg := mail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(e.To); err != nil {
		return fmt.Errorf("to address: %w", err)
	}
	msg.Subject(e.Subject)
	msg.SetMessageIDWithValue(e.MessageID)
	msg.SetDateWithValue(e.Date)
	msg.SetBodyString(mail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	for _, a := range e.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	c, err := mail.NewClient(m.host, m.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		// go-mail appends the message id and more; keep the server's answer.
		text, _, _ := strings.Cut(err.Error(), ", affected message ID")
		return errors.New(text)
	}
	return nil
}
