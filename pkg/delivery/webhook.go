package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"github.com/rapport-crm/rapport/pkg/netguard"
)

// Sign returns the X-Rapport-Signature value of body.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether sig is the signature of body (for receivers and
// tests), in constant time.
func Verify(secret string, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// Webhooks posts signed JSON bodies; it is a dispatch.WebhookPoster.
type Webhooks struct {
	// Client posts (a netguard client, with a timeout under the
	// dispatcher's send budget).
	Client *http.Client
}

// Post sends body to url signed with secret; key is the Idempotency-Key a
// receiver uses to recognise a repeat. Any answer but 2xx is an error.
func (w Webhooks) Post(ctx context.Context, url, secret, key string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Rapport-Webhook/1")
	req.Header.Set("X-Rapport-Signature", Sign(secret, body))
	req.Header.Set("Idempotency-Key", key)
	resp, err := w.Client.Do(req)
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
