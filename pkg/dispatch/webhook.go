package dispatch

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// Attachment is a file attached to an email.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Email is one message to send.
type Email struct {
	To, Subject, MessageID string
	Text, HTML             string
	Date                   time.Time
	Attachments            []Attachment
}

// Mailer sends email (pkg/delivery has the SMTP one).
type Mailer interface {
	Send(ctx context.Context, e Email) error
	// MessageID returns a Message-ID for a stable key, so a message sent
	// again after a crash can be recognised as a repeat by the receiver.
	MessageID(key string) string
}

// WebhookPoster posts a JSON body signed with secret to url; key is the
// Idempotency-Key of the delivery (pkg/delivery has the HTTP one).
type WebhookPoster interface {
	Post(ctx context.Context, url, secret, key string, body []byte) error
}

// WebhookBody is what a webhook receives for a batch of due follow-ups.
type WebhookBody struct {
	Type      string       `json:"type"`
	ID        string       `json:"id"`
	UserID    string       `json:"user_id"`
	Followups []DigestItem `json:"followups"`
}

func (d *Dispatcher) postWebhook(ctx context.Context, u *accounts.User, b *followup.Batch, items []DigestItem) error {
	body, err := json.Marshal(WebhookBody{Type: "followups.due", ID: b.ID, UserID: u.ID, Followups: items})
	if err != nil {
		return err
	}
	return d.Webhooks.Post(ctx, u.Notify.WebhookURL, u.Notify.WebhookSecret, b.ID, body)
}
