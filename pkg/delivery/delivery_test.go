package delivery_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/delivery"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/mailtest"
	"github.com/rapport-crm/rapport/pkg/netguard"
)

func TestMailerSendsThroughSMTP(t *testing.T) {
	srv := mailtest.Start(t)
	m, err := delivery.NewMailer(srv.URL(), "rapport@example.com")
	if err != nil {
		t.Fatal(err)
	}
	e := dispatch.Email{To: "ada@example.com", Subject: "Follow up with Ada", MessageID: m.MessageID("b1"),
		Text: "plain", HTML: "<p>html</p>", Date: time.Now(),
		Attachments: []dispatch.Attachment{{Name: "week.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}}}
	if err := m.Send(t.Context(), e); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	raw := string(msgs[0].Data)
	for _, want := range []string{"Message-ID: <b1@example.com>", "Subject: Follow up with Ada", "text/html", "week.ics"} {
		if !strings.Contains(raw, want) {
			t.Errorf("message lacks %q", want)
		}
	}
	srv.Fail(true)
	if err := m.Send(t.Context(), e); err == nil {
		t.Fatal("a refused message was reported sent")
	}
}

func TestWebhookIsSignedAndNon2xxFails(t *testing.T) {
	var got struct{ body, sig, key string }
	status := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.body, got.sig, got.key = string(b), r.Header.Get("X-Rapport-Signature"), r.Header.Get("Idempotency-Key")
		w.WriteHeader(status)
	}))
	defer srv.Close()
	w := delivery.Webhooks{Client: netguard.Guard{AllowPrivate: true}.Client(2*time.Second, 0)}
	if err := w.Post(t.Context(), srv.URL, "s3cret", "batch-1", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if got.key != "batch-1" || !delivery.Verify("s3cret", []byte(got.body), got.sig) || delivery.Verify("other", []byte(got.body), got.sig) {
		t.Fatalf("delivery %+v not signed with the secret", got)
	}
	status = http.StatusInternalServerError
	if err := w.Post(t.Context(), srv.URL, "s3cret", "batch-2", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("err = %v, want the receiver's 500", err)
	}
	guarded := delivery.Webhooks{Client: netguard.Guard{Resolver: netguard.Offline{}}.Client(2*time.Second, 0)}
	if err := guarded.Post(t.Context(), srv.URL, "s3cret", "batch-3", []byte(`{}`)); err == nil {
		t.Fatal("the guard let a loopback webhook through")
	}
}
