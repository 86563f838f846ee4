package followup

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/netguard"
)

// WebhookBody is what a webhook receives for a batch of due follow-ups.
type WebhookBody struct {
	Type      string       `json:"type"`
	ID        string       `json:"id"`
	UserID    string       `json:"user_id"`
	Followups []DigestItem `json:"followups"`
}

// Sign returns the X-Rapport-Signature value of body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether sig is the signature of body (for receivers and tests).
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

func (d *Dispatcher) postWebhook(ctx context.Context, u *accounts.User, b *Batch, items []DigestItem) error {
	body, err := json.Marshal(WebhookBody{Type: "followups.due", ID: b.ID, UserID: u.ID, Followups: items})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.Notify.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Rapport-Webhook/1")
	req.Header.Set("X-Rapport-Signature", Sign(u.Notify.WebhookSecret, body))
	req.Header.Set("Idempotency-Key", b.ID)
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s", netguard.Describe(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}
