package web_test

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/qr"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

var cardTokenRe = regexp.MustCompile(`name="t" value="([^"]+)"`)

// cardForm reads the per-render token and event reference of a rendered card.
func cardForm(t *testing.T, page string) (token, ref string) {
	t.Helper()
	m := cardTokenRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form token on the card page:\n%s", page)
	}
	if r := regexp.MustCompile(`name="e" value="([^"]+)"`).FindStringSubmatch(page); r != nil {
		ref = r[1]
	}
	return m[1], ref
}

// TestCard: the personal card end to end over HTTP — settings, the QR
// code for an event, the public page and its form, and each of its
// defences.
func TestCard(t *testing.T) {
	t.Parallel()
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, otherTok := s.MustSignup(t, "eve@example.com")

	// Off by default: no QR code, no id.
	MustStatus(t, s.Do(t, "GET", "/v1/me/card.png", tok, nil), 409)
	r := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true, "headline": "Go & <SQLite> at scale",
		"company": "Rapport", "title": "Founder", "phone": "+49 30 1234567", "email": "ada@example.com",
		"links": []string{"https://www.linkedin.com/in/ada", "https://ada.example.com"}}})
	MustStatus(t, r, 200)
	card := r.JSON(t)["card"].(map[string]any)
	cardID, _ := card["card_id"].(string)
	if len(cardID) != 22 || card["key"] != nil || strings.Contains(string(r.Body), `"Key"`) {
		t.Fatalf("card after enabling: %s", r.Body)
	}
	bad := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"links": []string{"javascript:alert(1)"}, "fields": []string{"ssn"}}})
	MustStatus(t, bad, 422)
	for _, f := range []string{"card.links[0]", "card.fields[0]"} {
		if !strings.Contains(string(bad.Body), f) {
			t.Errorf("422 does not name %s: %s", f, bad.Body)
		}
	}

	// An event tonight: doors 18:00, talks 18:30 and 19:15, ends 20:30.
	ev := s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T18:00:00Z", "ends_at": "2026-11-24T20:30:00Z",
		"talks": []map[string]any{{"title": "Generics", "starts_at": "2026-11-24T18:30:00Z"}, {"title": "SQLite", "starts_at": "2026-11-24T19:15:00Z"}}})
	MustStatus(t, ev, 201)
	eventID := ev.JSON(t)["id"].(string)
	MustStatus(t, s.Do(t, "GET", "/v1/me/card.png?event_id="+eventID, otherTok, nil), 409) // Eve's card is off
	MustStatus(t, s.Do(t, "GET", "/v1/me/card.png?event_id=nope", tok, nil), 404)
	eveEvent := s.MustCreateEvent(t, otherTok, nil)
	MustStatus(t, s.Do(t, "GET", "/v1/me/card.png?event_id="+eveEvent, tok, nil), 404) // another user's event

	// The PNG we serve decodes to the card URL with an opaque event reference.
	png := s.Do(t, "GET", "/v1/me/card.png?event_id="+eventID, tok, nil)
	MustStatus(t, png, 200)
	if png.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("content type %q", png.Header.Get("Content-Type"))
	}
	text, err := qr.Decode(t.Context(), png.Body, "image")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(text)
	if err != nil || u.Host != "rapport.test" || u.Path != "/c/"+cardID || u.Query().Get("e") == "" {
		t.Fatalf("the QR code says %q", text)
	}
	if strings.Contains(text, eventID) {
		t.Fatalf("the QR code names the event id: %q", text)
	}
	cardPath := u.Path + "?" + u.RawQuery

	w := &cardScenario{s: s, tok: tok, otherTok: otherTok, cardID: cardID, eventID: eventID, cardPath: cardPath}
	w.scanAndLeave(t)
	w.refusedForms(t)
	w.againAndBots(t)
	w.noEventAndVCard(t)
	w.rotatedAndDisabled(t)
}

// cardScenario is what TestCard's steps share: the server, Ada's and Eve's
// tokens, Ada's card and tonight's event, the guest's browser with the
// form it was shown last, and the contact its details made.
type cardScenario struct {
	s                                        *server
	tok, otherTok, cardID, eventID, cardPath string
	guest                                    *browser
	formTok, ref, contactID                  string
	leave                                    func(b *browser, tok, ref string, extra url.Values) (int, string)
}

// scanAndLeave: someone scans the code during the second talk and leaves
// their details: a contact, an encounter at that moment of the event, a
// thank-you.
func (w *cardScenario) scanAndLeave(t *testing.T) {
	s, tok, otherTok, cardID, eventID, cardPath := w.s, w.tok, w.otherTok, w.cardID, w.eventID, w.cardPath
	// Someone scans it at 19:40, during the second talk.
	s.Clock.Add(2*time.Hour + 40*time.Minute) // 17:00 → 19:40
	guest := s.visitor(t)
	st, page := guest.get(cardPath)
	if st != 200 || !strings.Contains(page, "Go &amp; &lt;SQLite&gt; at scale") || strings.Contains(page, "<SQLite>") {
		t.Fatalf("card page %d:\n%s", st, page)
	}
	if !strings.Contains(html.UnescapeString(page), `href="tel:+49301234567"`) || !strings.Contains(page, `href="https://ada.example.com"`) {
		t.Fatalf("card page lacks the phone or links:\n%s", page)
	}
	formTok, ref := cardForm(t, page)
	leave := func(b *browser, tok, ref string, extra url.Values) (int, string) {
		v := url.Values{"t": {tok}, "e": {ref}, "name": {"Grace Hopper"}, "email": {"grace@example.com"}, "company": {"Navy"},
			"linkedin_url": {"linkedin.com/in/grace"}, "note": {"Loved the <b>SQLite</b> talk"}, "consent": {"yes"}}
		for k, vs := range extra {
			v[k] = vs
		}
		st, body := b.post("/c/"+cardID, v)
		return st, body
	}
	st, thanks := leave(guest, formTok, ref, nil)
	if st != 200 || !strings.Contains(thanks, "has your details") {
		t.Fatalf("leave details: %d\n%s", st, thanks)
	}
	cs := s.Do(t, "GET", "/v1/contacts?q=grace", tok, nil).JSON(t)["items"].([]any)
	if len(cs) != 1 {
		t.Fatalf("contacts named grace: %d", len(cs))
	}
	contactID := cs[0].(map[string]any)["id"].(string)
	encs := s.Do(t, "GET", "/v1/contacts/"+contactID+"/encounters", tok, nil).JSON(t)["items"].([]any)
	if len(encs) != 1 {
		t.Fatalf("encounters: %v", encs)
	}
	enc := encs[0].(map[string]any)
	if enc["event_id"] != eventID || enc["moment"] != "during_talk" || !strings.Contains(enc["notes"].(string), "Loved the <b>SQLite</b> talk") {
		t.Fatalf("encounter: %v", enc)
	}
	fus := s.Do(t, "GET", "/v1/followups?contact_id="+contactID, tok, nil).JSON(t)["items"].([]any)
	if len(fus) == 0 || fus[0].(map[string]any)["kind"] != "thank_you" {
		t.Fatalf("follow-ups: %v", fus)
	}
	if countOf(t, s, otherTok, "/v1/contacts") != 0 {
		t.Fatal("the details reached another user")
	}
	w.guest, w.formTok, w.ref, w.leave, w.contactID = guest, formTok, ref, leave, contactID
}

// refusedForms: a replayed form, a forged token or one made for another
// event store nothing.
func (w *cardScenario) refusedForms(t *testing.T) {
	s, tok, guest, formTok, ref, contactID, leave := w.s, w.tok, w.guest, w.formTok, w.ref, w.contactID, w.leave
	// The same form again (a replay) is refused and stores nothing.
	if st, _ := leave(guest, formTok, ref, nil); st != 409 {
		t.Fatalf("replay: %d", st)
	}
	// A forged token, or one made for another event, is refused.
	parts := strings.Split(formTok, ".")
	for name, forged := range map[string][2]string{
		"forged signature": {parts[0] + "." + parts[1] + ".AAAA" + parts[2][4:], ref},
		"other event":      {formTok, "AAAAAAAAAAAAAAAA"},
		"no token":         {"", ref},
	} {
		if st, _ := leave(guest, forged[0], forged[1], url.Values{"email": {fmt.Sprintf("%s@example.com", strings.ReplaceAll(name, " ", ""))}}); st != 403 {
			t.Errorf("%s: %d; want 403", name, st)
		}
	}
	if n := countOf(t, s, tok, "/v1/contacts/"+contactID+"/encounters"); n != 1 {
		t.Fatalf("after replays: %d encounters", n)
	}
}

// againAndBots: the same person again is the same contact; a bot filling the
// honeypot and a form without consent store nothing.
func (w *cardScenario) againAndBots(t *testing.T) {
	s, tok, cardPath, guest, ref, contactID, leave := w.s, w.tok, w.cardPath, w.guest, w.ref, w.contactID, w.leave
	// The same person again (from a fresh render) gets the same answer as a
	// new one, and is the same contact.
	_, page := guest.get(cardPath)
	formTok, _ := cardForm(t, page)
	st, again := leave(guest, formTok, ref, url.Values{"name": {"G. Hopper"}})
	if st != 200 || !strings.Contains(again, "Thank you! User ada@example.com has your details.") {
		t.Fatalf("known person: %d\n%s", st, again)
	}
	if countOf(t, s, tok, "/v1/contacts") != 1 || countOf(t, s, tok, "/v1/contacts/"+contactID+"/encounters") != 2 {
		t.Fatal("a known person became a second contact, or the encounter was lost")
	}

	// The honeypot: a bot that fills every field is thanked and ignored.
	_, page = guest.get(cardPath)
	formTok, _ = cardForm(t, page)
	if st, body := leave(guest, formTok, ref, url.Values{"website": {"http://spam.example"}, "email": {"bot@example.com"}}); st != 200 || !strings.Contains(body, "has your details") {
		t.Fatalf("honeypot: %d", st)
	}
	// Without consent: 422 naming it, nothing stored.
	_, page = guest.get(cardPath)
	formTok, _ = cardForm(t, page)
	if st, body := leave(guest, formTok, ref, url.Values{"consent": {""}, "email": {"noconsent@example.com"}}); st != 422 || !strings.Contains(body, "Tick the box") {
		t.Fatalf("no consent: %d", st)
	}
	if countOf(t, s, tok, "/v1/contacts") != 1 {
		t.Fatal("the honeypot or a refused form stored a contact")
	}
}

// noEventAndVCard: a card shown without an event, the vCard to save, and the
// size cap.
func (w *cardScenario) noEventAndVCard(t *testing.T) {
	s, tok, cardID, guest, leave := w.s, w.tok, w.cardID, w.guest, w.leave
	// Without an event reference: the day's "Met through my card" event, moment other.
	_, page := guest.get("/c/" + cardID)
	formTok, noRef := cardForm(t, page)
	if noRef != "" {
		t.Fatalf("a card shown without an event has a reference %q", noRef)
	}
	if st, _ := leave(guest, formTok, "", url.Values{"email": {"linus@example.com"}, "name": {"Linus"}, "linkedin_url": {""}}); st != 200 {
		t.Fatalf("no event: %d", st)
	}
	linus := s.Do(t, "GET", "/v1/contacts?q=linus", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)
	le := s.Do(t, "GET", "/v1/contacts/"+linus["id"].(string)+"/encounters", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)
	dayEv := s.Do(t, "GET", "/v1/events/"+le["event_id"].(string), tok, nil).JSON(t)
	if le["moment"] != "other" || dayEv["title"] != "Met through my card" {
		t.Fatalf("no-event encounter %v at %v", le, dayEv)
	}

	// The vCard to save.
	resp, err := http.Get(s.URL + "/c/" + cardID + ".vcf")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	st, vcf := guest.get("/c/" + cardID + ".vcf")
	if st != 200 || resp.Header.Get("Content-Type") != "text/vcard; charset=utf-8" || !strings.Contains(vcf, "FN:User ada@example.com") ||
		!strings.Contains(vcf, "TEL:+49 30 1234567") || !strings.Contains(vcf, "EMAIL;TYPE=INTERNET:ada@example.com") {
		t.Fatalf("vcf %d %q:\n%s", st, resp.Header.Get("Content-Type"), vcf)
	}
	if !strings.Contains(vcf, "VERSION:3.0\r\n") {
		t.Fatalf("the card is not vCard 3.0:\n%s", vcf)
	}

	// 64 KiB at most.
	big := url.Values{"t": {formTok}, "name": {"X"}, "note": {strings.Repeat("x", 70<<10)}, "consent": {"yes"}}
	if st, _ := guest.post("/c/"+cardID, big); st != 413 {
		t.Fatalf("70 KiB post: %d", st)
	}
	w.formTok = formTok
}

// rotatedAndDisabled: unknown, rotated and disabled cards all answer the
// same 404.
func (w *cardScenario) rotatedAndDisabled(t *testing.T) {
	s, tok, cardID, guest, formTok, ref, leave := w.s, w.tok, w.cardID, w.guest, w.formTok, w.ref, w.leave
	// Unknown, rotated and disabled cards all answer the same 404.
	_, unknown := guest.get("/c/AAAAAAAAAAAAAAAAAAAAAA")
	rot := s.Do(t, "POST", "/v1/me/card/rotate", tok, nil)
	MustStatus(t, rot, 200)
	newID := rot.JSON(t)["card"].(map[string]any)["card_id"].(string)
	if newID == cardID {
		t.Fatal("rotate kept the id")
	}
	for _, p := range []string{"/c/" + cardID, "/c/" + cardID + ".vcf", "/c/x", "/c/" + newID + "x"} {
		if st, body := guest.get(p); st != 404 || body != unknown {
			t.Errorf("GET %s after rotation: %d %q", p, st, body)
		}
	}
	if st, _ := leave(guest, formTok, ref, nil); st != 404 {
		t.Errorf("post to the rotated card: %d", st)
	}
	if st, _ := guest.get("/c/" + newID); st != 200 {
		t.Fatalf("new card: %d", st)
	}
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": false}}), 200)
	if st, body := guest.get("/c/" + newID); st != 404 || body != unknown {
		t.Fatalf("disabled card: %d", st)
	}
}

// TestCardRateLimits: at most 10 posts a minute from one address and 100 an
// hour to one card, each answered 429 with Retry-After; views are limited
// per address too.
// TestCardVCardReads: the vCard a card's "Save contact" gives is 3.0, the
// widest-read version (phones' importers read 4.0 only in part), and
// vobject's strict reading takes it. It was 4.0.
func TestCardVCardReads(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	r := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true, "headline": "Go, SQLite; and scale",
		"company": "Rapport", "title": "Founder", "phone": "+49 30 1234567", "email": "ada@example.com",
		"links": []string{"https://www.linkedin.com/in/ada", "https://ada.example.com"}}})
	MustStatus(t, r, 200)
	resp, err := http.Get(s.URL + "/c/" + r.JSON(t)["card"].(map[string]any)["card_id"].(string) + ".vcf")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	vcf, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(vcf), "VERSION:3.0\r\n") {
		t.Fatalf("%d:\n%s", resp.StatusCode, vcf)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "card.vcf"), vcf, 0o600)
	tooltest.ValidateVCards(t, dir)
}

func TestCardRateLimits(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	r := s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true}})
	MustStatus(t, r, 200)
	cardID := r.JSON(t)["card"].(map[string]any)["card_id"].(string)
	var said string // the last answer's body
	post := func() *http.Response {
		resp, err := http.PostForm(s.URL+"/c/"+cardID, url.Values{"name": {"Bot McBotface"}, "consent": {"yes"}, "t": {"forged"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		said = string(b)
		return resp
	}
	for i := 0; i < 10; i++ {
		if resp := post(); resp.StatusCode != 403 {
			t.Fatalf("post %d: %d", i+1, resp.StatusCode)
		}
	}
	resp := post()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(said, "Go back, and send them again in") {
		t.Fatalf("11th post in a minute: %d, Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), said)
	}
	// A minute later the address may post again, until the card has had 100
	// posts in the hour.
	posts := 10
	for posts < 100 {
		s.Clock.Add(time.Minute)
		for i := 0; i < 10 && posts < 100; i++ {
			if resp := post(); resp.StatusCode != 403 {
				t.Fatalf("post %d: %d", posts+1, resp.StatusCode)
			}
			posts++
		}
	}
	s.Clock.Add(time.Minute)
	resp = post()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("101st post to the card in an hour: %d", resp.StatusCode)
	}
	// The card's page, with what was typed kept and when to send it.
	if !strings.Contains(said, `value="Bot McBotface"`) || !regexp.MustCompile(`card has had too many replies this hour\. What you typed is kept; please send it again in 5\d minutes\.`).MatchString(said) {
		t.Fatalf("101st post to the card: what was typed is lost, or no word of when to send it:\n%s", said)
	}
	// Views: 60 a minute per address.
	s.Clock.Add(time.Hour)
	b := s.visitor(t)
	for i := 0; i < 60; i++ {
		if st, _ := b.get("/c/" + cardID); st != 200 {
			t.Fatalf("view %d: %d", i+1, st)
		}
	}
	if st, _ := b.get("/c/" + cardID); st != 429 {
		t.Fatalf("61st view in a minute: %d", st)
	}
}

// TestCardLeftTheNextDay: someone who scanned the card at yesterday's
// event and leaves their details today was met at the event (at its end:
// after the talk), not today, and is known since then.
func TestCardLeftTheNextDay(t *testing.T) {
	t.Parallel()
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	MustStatus(t, s.Do(t, "PATCH", "/v1/me", tok, map[string]any{"card": map[string]any{"enabled": true}}), 200)
	ev := s.MustCreateEvent(t, tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-23T18:00:00Z", "ends_at": "2026-11-23T20:30:00Z"})
	guest, path, formTok, ref := scanCard(t, s, tok, ev)
	if st, body := guest.post(path, url.Values{"t": {formTok}, "e": {ref}, "name": {"Grace Hopper"}, "email": {"grace@example.com"}, "consent": {"yes"}}); st != 200 {
		t.Fatalf("leave details: %d\n%s", st, body)
	}
	cs := s.Do(t, "GET", "/v1/contacts?q=grace", tok, nil).JSON(t)["items"].([]any)
	if len(cs) != 1 {
		t.Fatalf("contacts named grace: %v", cs)
	}
	c := cs[0].(map[string]any)
	encs := s.Do(t, "GET", "/v1/contacts/"+c["id"].(string)+"/encounters", tok, nil).JSON(t)["items"].([]any)
	if len(encs) != 1 {
		t.Fatalf("encounters: %v", encs)
	}
	if e := encs[0].(map[string]any); e["event_id"] != ev || e["moment"] != "after_talk" || e["met_at"] != "2026-11-23T20:30:00Z" || c["known_since"] != "2026-11-23T20:30:00Z" {
		t.Fatalf("encounter %v, known since %v; want after the talk at the event's end", e, c["known_since"])
	}
}

// scanCard is a visitor who scanned the QR code of tok's card for
// eventID: the card's path, and its form's token and event reference.
func scanCard(t *testing.T, s *server, tok, eventID string) (guest *browser, path, formTok, ref string) {
	t.Helper()
	png := s.Do(t, "GET", "/v1/me/card.png?event_id="+eventID, tok, nil)
	MustStatus(t, png, 200)
	text, err := qr.Decode(t.Context(), png.Body, "image")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	guest = s.visitor(t)
	_, page := guest.get(u.Path + "?" + u.RawQuery)
	formTok, ref = cardForm(t, page)
	return guest, u.Path, formTok, ref
}
