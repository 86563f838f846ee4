package dispatch_test

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/delivery"
	"github.com/rapport-crm/rapport/pkg/dispatch"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

// TestNudgeEndToEnd: meet Jane in the evening in Berlin; at 9:00 the next
// morning one email and one signed webhook arrive, once.
func TestNudgeEndToEnd(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC))
	settings := e.withHook("s3cret")
	settings["timezone"] = "Europe/Berlin"
	u := e.user(t, "ada@example.com", settings)
	ev, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: "Berlin Go Meetup", StartsAt: "2026-11-24T18:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 11, 24, 20, 5, 0, 0, time.UTC)) // logged just after meeting her
	res, err := e.crm.LogEncounter(t.Context(), u, ev.ID, contacts.EncounterInput{
		Contact: &contacts.Input{Name: "Jane Doe", Emails: []string{"jane@example.com"}, Company: "Acme"},
		Moment:  "after_talk", MetAt: "2026-11-24T20:00:00Z", Notes: "WASM"})
	if err != nil {
		t.Fatal(err)
	}
	var thankYou followup.FollowUp
	for _, f := range res.Followups {
		if f.Kind == followup.ThankYou {
			thankYou = f
		}
	}
	if want := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC); !thankYou.DueAt.Equal(want) {
		t.Fatalf("thank-you due %v, want %v (9:00 Berlin)", thankYou.DueAt, want)
	}
	d := e.dispatcher(t, "p1")

	e.clock.Set(time.Date(2026, 11, 25, 7, 59, 0, 0, time.UTC))
	mustRun(t, d)
	if n := len(e.smtp.Messages()) + len(e.hook.Calls()); n != 0 {
		t.Fatalf("%d deliveries before the due time", n)
	}

	e.clock.Set(time.Date(2026, 11, 25, 8, 0, 30, 0, time.UTC))
	mustRun(t, d)
	msgs, calls := e.smtp.Messages(), e.hook.Calls()
	if len(msgs) != 1 || len(calls) != 1 {
		t.Fatalf("%d emails and %d webhooks, want 1 and 1", len(msgs), len(calls))
	}
	m := msgs[0]
	if got := m.To; len(got) != 1 || got[0] != "ada@example.com" {
		t.Fatalf("To=%v", got)
	}
	text := plainText(t, m.Data)
	for _, want := range []string{"Say thank you: Jane Doe (Acme)", "Berlin Go Meetup on 24 Nov 2026", "jane@example.com", "https://rapport.example/app/followups#f-" + thankYou.ID, "due Wed 25 Nov 09:00 CET"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	// The morning after: yesterday's event in a line, before the follow-ups.
	if want := "* Berlin Go Meetup: Met 1; 1 thank-you to send"; !strings.Contains(text, want) || strings.Index(text, "Yesterday:") > strings.Index(text, want) {
		t.Errorf("digest lacks the recap %q:\n%s", want, text)
	}
	digestHTMLHolds(t, m.Data, thankYou.ID)
	if m.Header.Get("Message-Id") == "" || !strings.Contains(m.Header.Get("Subject"), "Jane Doe") {
		t.Errorf("headers: Message-Id=%q Subject=%q", m.Header.Get("Message-Id"), m.Header.Get("Subject"))
	}
	c := calls[0]
	if !delivery.Verify("s3cret", c.Body, c.Sig) {
		t.Fatalf("signature %q does not verify", c.Sig)
	}
	if delivery.Verify("other", c.Body, c.Sig) {
		t.Fatalf("signature verifies with the wrong secret")
	}
	if c.Decoded.Type != "followups.due" || c.Decoded.UserID != u.ID || c.IdemKey != c.Decoded.ID || len(c.Decoded.Followups) != 1 {
		t.Fatalf("webhook body %+v, Idempotency-Key %q", c.Decoded, c.IdemKey)
	}
	if got := c.Decoded.Followups[0]; got.ID != thankYou.ID || got.Contact == nil || got.Contact.Name != "Jane Doe" {
		t.Fatalf("webhook follow-up %+v", got)
	}
	if !strings.Contains(m.Header.Get("Message-Id"), c.IdemKey) {
		t.Errorf("Message-Id %q and Idempotency-Key %q should share the batch id", m.Header.Get("Message-Id"), c.IdemKey)
	}
	if f := e.followup(t, u, thankYou.ID); f.NotifiedAt == nil || f.Status != followup.Pending {
		t.Fatalf("after the nudge: %+v", f)
	}

	nudgedAgainAfterSnooze(t, e, d, u, thankYou, c)
}

// digestHTMLHolds checks the HTML part of TestNudgeEndToEnd's digest: the
// same as its text, where a code name once stood in the footer's link,
// and Write it, drafted as on the pages.
func digestHTMLHolds(t *testing.T, data []byte, thankYou string) {
	t.Helper()
	html := partOf(t, data, "text/html")
	for _, want := range []string{"<strong>Say thank you: Jane Doe</strong> (Acme)", "<li>Berlin Go Meetup: Met 1; 1 thank-you to send</li>",
		`<a href="https://rapport.example/app/followups#f-` + thankYou + `">Mark done or snooze</a>`, `<a href="https://rapport.example/app/settings">Change where nudges go</a>`,
		// Write it from the nudge: the same draft as the pages', not the notes ("WASM").
		`<a href="mailto:jane@example.com?body=Hi%20Jane%2C%0A%0Athank%20you%20for%20the%20chat%20at%20Berlin%20Go%20Meetup.%0A&amp;subject=Great%20to%20meet%20you%20at%20Berlin%20Go%20Meetup">Write it</a> (jane@example.com)`} {
		if !strings.Contains(html, want) {
			t.Errorf("the digest's HTML lacks %q:\n%s", want, html)
		}
	}
}

// nudgedAgainAfterSnooze: once nudged, further ticks send nothing again;
// snoozed a week, the follow-up is nudged again then, not before, in a batch
// of its own.
func nudgedAgainAfterSnooze(t *testing.T, e *env, d *dispatch.Dispatcher, u *accounts.User, thankYou followup.FollowUp, c hookCall) {
	// Further ticks send nothing again.
	e.clock.Add(time.Hour)
	mustRun(t, d)
	mustRun(t, d)
	if len(e.smtp.Messages()) != 1 || len(e.hook.Calls()) != 1 {
		t.Fatalf("repeat deliveries: %d emails, %d webhooks", len(e.smtp.Messages()), len(e.hook.Calls()))
	}

	// Snoozed a week: nudged again then, not before.
	if _, err := e.crm.Followups.Snooze(t.Context(), u, thankYou.ID, nil, ptr(7)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 12, 2, 7, 59, 0, 0, time.UTC))
	mustRun(t, d)
	if len(e.hook.Calls()) != 1 {
		t.Fatalf("nudged before the snooze ended")
	}
	e.clock.Set(time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC))
	mustRun(t, d)
	if len(e.smtp.Messages()) != 2 || len(e.hook.Calls()) != 2 {
		t.Fatalf("after the snooze: %d emails, %d webhooks, want 2 and 2", len(e.smtp.Messages()), len(e.hook.Calls()))
	}
	if e.hook.Calls()[1].IdemKey == c.IdemKey {
		t.Fatalf("the re-nudge reused the first Idempotency-Key")
	}
}

func ptr[T any](v T) *T { return &v }

// plainText returns the text/plain part of a message.
func plainText(tb testing.TB, data []byte) string {
	tb.Helper()
	return partOf(tb, data, "text/plain")
}

// partOf returns the first part of a message of type want.
func partOf(tb testing.TB, data []byte, want string) string {
	tb.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	return findPart(tb, m.Header.Get("Content-Type"), m.Body, want, "")
}

// findPart walks a MIME tree for the first part of type want (or, when
// filename is set, the attachment of that name) and returns its decoded body.
func findPart(tb testing.TB, ct string, body interface{ Read([]byte) (int, error) }, want, filename string) string {
	tb.Helper()
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		tb.Fatal(err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		var b bytes.Buffer
		b.ReadFrom(body)
		return b.String()
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return ""
		}
		pt := p.Header.Get("Content-Type")
		pmt, _, _ := mime.ParseMediaType(pt)
		if strings.HasPrefix(pmt, "multipart/") {
			if s := findPart(tb, pt, p, want, filename); s != "" {
				return s
			}
			continue
		}
		if (filename == "" && pmt == want && p.FileName() == "") || (filename != "" && p.FileName() == filename) {
			var b bytes.Buffer
			b.ReadFrom(p) // multipart.Part decodes quoted-printable; base64 handled below
			s := b.String()
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
				dec, err := decodeBase64(s)
				if err != nil {
					tb.Fatal(err)
				}
				s = dec
			}
			return s
		}
	}
}

func TestRetryUntilSMTPAndWebhookRecover(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", e.withHook("k"))
	jane := e.contact(t, u, "jane")
	f, err := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, DueAt: e.clock.Now(), Note: "call back"})
	if err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.smtp.Fail(true)
	e.hook.set(1, 0) // the webhook answers 500 once
	mustRun(t, d)
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d emails while SMTP refuses", n)
	}
	got := e.followup(t, u, f.ID)
	if !strings.Contains(got.DeliveryError, "email") || !strings.Contains(got.DeliveryError, "webhook") || got.NotifiedAt != nil {
		t.Fatalf("delivery_error=%q notified_at=%v", got.DeliveryError, got.NotifiedAt)
	}
	// Before the backoff is over nothing is tried.
	e.clock.Add(30 * time.Second)
	mustRun(t, d)
	if len(e.hook.Calls()) != 0 {
		t.Fatalf("retried before the backoff")
	}
	// After it the webhook gets through, the email still fails.
	e.clock.Add(31 * time.Second)
	mustRun(t, d)
	if len(e.hook.Calls()) != 1 || len(e.smtp.Messages()) != 0 {
		t.Fatalf("attempt 2: %d webhooks, %d emails", len(e.hook.Calls()), len(e.smtp.Messages()))
	}
	// SMTP comes back; the next retry sends the email and not the webhook again.
	e.smtp.Fail(false)
	e.clock.Add(2 * time.Minute)
	mustRun(t, d)
	if len(e.hook.Calls()) != 1 || len(e.smtp.Messages()) != 1 {
		t.Fatalf("after recovery: %d webhooks, %d emails, want 1 and 1", len(e.hook.Calls()), len(e.smtp.Messages()))
	}
	got = e.followup(t, u, f.ID)
	if got.DeliveryError != "" || got.NotifiedAt == nil {
		t.Fatalf("after recovery: delivery_error=%q notified_at=%v", got.DeliveryError, got.NotifiedAt)
	}
	e.clock.Add(time.Hour)
	mustRun(t, d)
	if len(e.hook.Calls()) != 1 || len(e.smtp.Messages()) != 1 {
		t.Fatalf("delivered twice")
	}
}

func TestWebhookTimeoutIsRetriedAndGivenUpAfter24h(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", e.withHook("k"))
	jane := e.contact(t, u, "jane")
	f, _ := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, DueAt: e.clock.Now()})
	d := e.dispatcher(t, "p1")
	e.hook.set(0, 3*time.Second) // longer than the client's 2s timeout
	mustRun(t, d)
	if got := e.followup(t, u, f.ID); !strings.Contains(got.DeliveryError, "timed out") {
		t.Fatalf("delivery_error=%q, want a timeout", got.DeliveryError)
	}
	e.hook.set(1000, 0) // now it answers 500, for good
	for i := 0; i < 40; i++ {
		e.clock.Add(time.Hour)
		mustRun(t, d)
	}
	got := e.followup(t, u, f.ID)
	if got.Status != followup.Pending || !strings.Contains(got.DeliveryError, "after 24 hours") {
		t.Fatalf("after 24h: status=%s delivery_error=%q", got.Status, got.DeliveryError)
	}
	// The email went out once, on the first attempt.
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
}

// TestThreeDispatchersExactlyOnce: three dispatchers on one store, ticking
// at the same time, deliver each of 1,000 due follow-ups exactly once.
func TestThreeDispatchersExactlyOnce(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	const users, perUser = 20, 50
	want := map[string]bool{}
	for i := 0; i < users; i++ {
		u := e.user(t, fmt.Sprintf("u%d@example.com", i), e.withHook("k"))
		c := e.contact(t, u, fmt.Sprint("c", i))
		for j := 0; j < perUser; j++ {
			f, err := e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: c.ID, Kind: followup.Custom,
				DueAt: e.clock.Now().Add(-time.Duration(j) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			want[f.ID] = true
		}
	}
	ds := []*dispatch.Dispatcher{e.dispatcher(t, "p1"), e.dispatcher(t, "p2"), e.dispatcher(t, "p3")}
	for tick := 0; tick < 3; tick++ {
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := d.RunOnce(t.Context()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		e.clock.Add(time.Minute)
	}
	got := map[string]int{}
	for _, c := range e.hook.Calls() {
		for _, f := range c.Decoded.Followups {
			got[f.ID]++
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d follow-ups delivered, want %d", len(got), len(want))
	}
	for id, n := range got {
		if n != 1 || !want[id] {
			t.Fatalf("follow-up %s delivered %d times", id, n)
		}
	}
	if n := len(e.smtp.Messages()); n != users {
		t.Fatalf("%d emails, want one digest per user (%d)", n, users)
	}
}

func TestBadSettingsAreRefused(t *testing.T) {
	e := newEnv(t, time.Now())
	u := e.user(t, "ada@example.com", nil)
	for _, patch := range []string{`{"agenda":{"enabled":true,"schedule":"61 * * * *"}}`, `{"agenda":{"schedule":"0 0 30 2 *"}}`} {
		_, err := e.crm.UpdateSettings(t.Context(), e.acc, u.ID, []byte(patch))
		if got := apperr.KindOf(err); got != apperr.Invalid {
			t.Fatalf("%s: kind=%v (%v), want Invalid", patch, got, err)
		}
	}
}

// TestDeadHolder: a dispatcher that died holding a user's lease (its lease
// document left behind, its batch half delivered) blocks that user only for
// its slot; the next dispatcher re-sends the batch with the same Idempotency-Key.
func TestDeadHolder(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", e.withHook("k"))
	jane := e.contact(t, u, "jane")
	e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, DueAt: e.clock.Now()})

	// The first dispatcher delivers, then "dies" before recording it: undo
	// its record and leave a lease of its in the current slot.
	d1 := e.dispatcher(t, "dead")
	mustRun(t, d1)
	first := e.hook.Calls()
	if len(first) != 1 {
		t.Fatalf("%d webhooks, want 1", len(first))
	}
	e.exec(t, `DELETE FROM nudges`, nil, func(ctx context.Context, st *mongodb.DB) error {
		_, err := st.DB.Collection("nudged").DeleteMany(ctx, map[string]any{})
		return err
	})
	e.crm.Followups.Wake(t.Context(), u.ID, e.clock.Now())
	slot := e.clock.Now().Add(30 * time.Second).Truncate(2 * time.Minute).UTC().Format("20060102T150405")
	if ok, err := e.crm.Followups.Store.ClaimLease(t.Context(), u.ID+"#"+slot, "dead", e.clock.Now()); err != nil || !ok {
		t.Fatalf("leave the dead holder's lease: %v, %v", ok, err)
	}

	d2 := e.dispatcher(t, "alive")
	mustRun(t, d2)
	if n := len(e.hook.Calls()); n != 1 {
		t.Fatalf("the user was handled while another held its lease (%d webhooks)", n)
	}
	e.clock.Add(2 * time.Minute)
	mustRun(t, d2)
	calls := e.hook.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d webhooks after the dead lease's slot, want 2", len(calls))
	}
	if calls[1].IdemKey != first[0].IdemKey {
		t.Fatalf("re-sent with a different Idempotency-Key: %q vs %q", calls[1].IdemKey, first[0].IdemKey)
	}
}

// TestSweepRestoresLostWake: if a wake is lost (a concurrent write on the
// embedded store overwrote it), the sweep finds the due follow-up.
func TestSweepRestoresLostWake(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", e.withHook("k"))
	jane := e.contact(t, u, "jane")
	e.crm.Followups.Create(t.Context(), u.ID, &followup.FollowUp{ContactID: jane.ID, Kind: followup.Custom, DueAt: e.clock.Now()})
	far := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	e.exec(t, `UPDATE dispatch SET next_at = ?`, []any{far.Format("2006-01-02T15:04:05.000Z")}, func(ctx context.Context, st *mongodb.DB) error {
		_, err := st.DB.Collection("dispatch").UpdateMany(ctx, map[string]any{}, map[string]any{"$set": map[string]any{"next_at": far}})
		return err
	})
	d := e.dispatcher(t, "p1")
	mustRun(t, d)
	if n := len(e.hook.Calls()); n != 0 {
		t.Fatalf("delivered without a wake?")
	}
	var users []accounts.User
	e.acc.ForEachUser(t.Context(), func(u *accounts.User) error { users = append(users, *u); return nil })
	if n, err := d.Sweep(t.Context(), users); err != nil || n != 1 {
		t.Fatalf("Sweep=%d, %v; want 1 user", n, err)
	}
	mustRun(t, d)
	if n := len(e.hook.Calls()); n != 1 {
		t.Fatalf("%d webhooks after the sweep, want 1", n)
	}
}

// TestPrepNudge: the brief before an event is nudged the day before at the
// nudge hour like any follow-up — with no contact, the event named and its
// brief linked — by email and webhook.
func TestPrepNudge(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC))
	settings := e.withHook("s3cret")
	settings["timezone"] = "Europe/Berlin"
	u := e.user(t, "ada@example.com", settings)
	ev, err := e.crm.CreateEvent(t.Context(), u, events.Input{Title: "GoDays", StartsAt: "2026-11-27T17:00:00Z",
		Targets: []events.Target{{Name: "Grace Hopper"}}})
	if err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 26, 8, 0, 30, 0, time.UTC)) // 9:00 in Berlin, the day before
	mustRun(t, d)
	msgs, calls := e.smtp.Messages(), e.hook.Calls()
	if len(msgs) != 1 || len(calls) != 1 {
		t.Fatalf("%d emails and %d webhooks, want 1 and 1", len(msgs), len(calls))
	}
	text := plainText(t, msgs[0].Data)
	for _, want := range []string{"Prepare for: GoDays", "https://rapport.example/app/events/" + ev.ID + "/prep", "It starts Fri 27 Nov 18:00 CET"} {
		if !strings.Contains(text, want) {
			t.Errorf("the nudge lacks %q:\n%s", want, text)
		}
	}
	if s := msgs[0].Header.Get("Subject"); s != "Prepare for GoDays" {
		t.Errorf("subject %q", s)
	}
	if body := string(calls[0].Body); !strings.Contains(body, `"kind":"prep"`) || !strings.Contains(body, `"event_id":"`+ev.ID+`"`) {
		t.Errorf("webhook: %s", body)
	}
}

// TestContactlessNextStepNudge: the next step of an opportunity that names
// no one (a speaking slot found on a website) is nudged like any
// follow-up, by email and webhook, under its own words.
func TestContactlessNextStepNudge(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", e.withHook("s3cret"))
	o, err := e.crm.CreateOpportunity(t.Context(), u, opportunities.Input{Title: "Talk at GopherCon", Kind: "speaking",
		NextStep: "Submit the CFP", NextStepAt: "2026-11-26T09:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 26, 9, 0, 30, 0, time.UTC))
	mustRun(t, d)
	msgs, calls := e.smtp.Messages(), e.hook.Calls()
	if len(msgs) != 1 || len(calls) != 1 {
		t.Fatalf("%d emails and %d webhooks, want 1 and 1", len(msgs), len(calls))
	}
	text := plainText(t, msgs[0].Data)
	if !strings.Contains(text, "Next step: Submit the CFP — Talk at GopherCon, due") || !strings.Contains(text, "https://rapport.example/app/followups#f-") {
		t.Errorf("the nudge:\n%s", text)
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(msgs[0].Header.Get("Subject")); s != "Next step: Submit the CFP — Talk at GopherCon" {
		t.Errorf("subject %q", s)
	}
	if body := string(calls[0].Body); !strings.Contains(body, `"kind":"opportunity"`) || !strings.Contains(body, `"opportunity_id":"`+o.ID+`"`) {
		t.Errorf("webhook: %s", body)
	}
}

// TestNudgeWriteOnLinkedIn: the nudge for someone met with no email but a
// LinkedIn profile links to it, where Write it would be, and for someone
// with only a phone, a text to it.
func TestNudgeWriteOnLinkedIn(t *testing.T) {
	e := newEnv(t, time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC))
	u := e.user(t, "ada@example.com", map[string]any{"timezone": "UTC"})
	ev, err := e.crm.Events.Create(t.Context(), u.ID, u.Timezone, events.Input{Title: "Berlin Go Meetup", StartsAt: "2026-11-24T18:00:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 11, 24, 20, 5, 0, 0, time.UTC))
	if _, err := e.crm.LogEncounter(t.Context(), u, ev.ID, contacts.EncounterInput{
		Contact: &contacts.Input{Name: "Jane Doe", LinkedInURL: "linkedin.com/in/jane-doe"}, Moment: "after_talk", MetAt: "2026-11-24T20:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.crm.LogEncounter(t.Context(), u, ev.ID, contacts.EncounterInput{
		Contact: &contacts.Input{Name: "Bob Roe", Phones: []string{"+49 30 1234567"}}, Moment: "after_talk", MetAt: "2026-11-24T20:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	d := e.dispatcher(t, "p1")
	e.clock.Set(time.Date(2026, 11, 25, 9, 0, 30, 0, time.UTC))
	mustRun(t, d)
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails, want 1", len(msgs))
	}
	if text := plainText(t, msgs[0].Data); !strings.Contains(text, "LinkedIn: https://www.linkedin.com/in/jane-doe") {
		t.Errorf("the digest's text lacks the profile:\n%s", text)
	}
	if html := partOf(t, msgs[0].Data, "text/html"); !strings.Contains(html, `<a href="https://www.linkedin.com/in/jane-doe">Write on LinkedIn</a>`) ||
		!strings.Contains(html, `<a href="sms:&#43;49301234567">Text them</a>`) || strings.Contains(html, "mailto:") {
		t.Errorf("the digest's HTML has no Write on LinkedIn, or a mailto: without an email:\n%s", html)
	}
}
