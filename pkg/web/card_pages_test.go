package web_test

import (
	"bytes"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/qr"
)

// postPhoto sends the scan form with a photo, as the phone's file picker does.
func (b *phone) postPhoto(path, csrf string, photo []byte) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("csrf", csrf)
	fw, _ := w.CreateFormFile("photo", "code.png")
	fw.Write(photo)
	w.Close()
	resp, err := b.c.Post(b.s.URL+path, w.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	b.last = string(data)
	return resp.StatusCode, b.last
}

// TestWebCardPages: turning the card on from the phone, its QR code for
// today's event, editing it in the settings, a new address, and setting a
// password there.
func TestWebCardPages(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	ev := s.Do(t, "POST", "/v1/events", tok, map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T18:00:00Z"})
	MustStatus(t, ev, 201)
	eventID := ev.JSON(t)["id"].(string)
	b := newPhone(t, s)
	b.login("ada@example.com", tok, "")

	st, page := b.get("/app/card")
	if st != 200 || !strings.Contains(page, "Turn on my card") {
		t.Fatalf("card page while off: %d", st)
	}
	if st, _ := b.get("/app/card.png"); st != 409 {
		t.Fatalf("QR code of a card that is off: %d", st)
	}
	csrf := hiddenIn(t, page, "csrf")
	if st, page, _ := b.post("/app/card/on", url.Values{"csrf": {csrf}}); st != 200 || !strings.Contains(page, "Your card is on.") {
		t.Fatalf("turn on: %d", st)
	}
	me := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["card"].(map[string]any)
	if me["enabled"] != true || me["email"] != "ada@example.com" {
		t.Fatalf("card after turning it on: %v", me)
	}
	// Today's event is picked; the image is its QR code.
	_, page = b.get("/app/card")
	if !strings.Contains(page, `<option value="`+eventID+`" selected>`) || !strings.Contains(page, `src="/app/card.png?event_id=`+eventID+`"`) {
		t.Fatalf("card page does not show today's event:\n%s", page)
	}
	st, png := b.get("/app/card.png?event_id=" + eventID)
	text, err := qr.Decode(t.Context(), []byte(png), "image")
	if st != 200 || err != nil || !strings.HasPrefix(text, "http://rapport.test/c/"+me["card_id"].(string)+"?e=") {
		t.Fatalf("QR code: %d %q %v", st, text, err)
	}
	if !strings.Contains(html.UnescapeString(page), text) {
		t.Fatal("the page does not show the URL the QR code holds")
	}

	// Settings: the card's fields, with errors named.
	_, page = b.get("/app/settings")
	csrf = hiddenIn(t, page, "csrf")
	form := url.Values{"csrf": {csrf}, "name": {"Ada"}, "timezone": {"UTC"}, "nudge_hour": {"9"}, "notify_email": {"ada@example.com"},
		"card_enabled": {"on"}, "card_headline": {"Databases"}, "card_email": {"not-an-email"}, "card_links": {"https://ada.example.com\nftp://x"}}
	st, page, _ = b.post("/app/settings", form)
	if st != 422 || strings.Count(page, `class="error"`) != 2 || !strings.Contains(page, `id="card_links" name="card_links"`) {
		t.Fatalf("bad card settings: %d\n%s", st, page)
	}
	form.Set("card_email", "ada@example.com")
	form.Set("card_links", "https://ada.example.com\n\nhttps://www.linkedin.com/in/ada")
	if st, _, _ := b.post("/app/settings", form); st != 200 {
		t.Fatalf("save card settings: %d", st)
	}
	me = s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["card"].(map[string]any)
	if me["headline"] != "Databases" || len(me["links"].([]any)) != 2 {
		t.Fatalf("card after saving: %v", me)
	}
	// A new address: the old one is 404.
	oldID := me["card_id"].(string)
	if st, _, _ := b.post("/app/card/rotate", url.Values{"csrf": {csrf}}); st != 200 {
		t.Fatalf("rotate: %d", st)
	}
	if st, _ := newPhone(t, s).get("/c/" + oldID); st != 404 {
		t.Fatalf("old card address after rotation: %d", st)
	}
	// Unticking the box takes the card down.
	form.Del("card_enabled")
	b.post("/app/settings", form)
	newID := s.Do(t, "GET", "/v1/me", tok, nil).JSON(t)["card"].(map[string]any)["card_id"].(string)
	if st, _ := newPhone(t, s).get("/c/" + newID); st != 404 {
		t.Fatalf("card turned off in the settings still answers: %d", st)
	}

	devicesAndPassword(t, s, b, csrf)
}

// devicesAndPassword: calendar links per device, listed and revoked one at a
// time; a password set on the settings page signs in on another phone.
func devicesAndPassword(t *testing.T, s *server, b *phone, csrf string) {
	// Calendar links per device: listed, and revoked one at a time.
	b.post("/app/calendar/links", url.Values{"csrf": {csrf}})
	b.post("/app/calendar/links", url.Values{"csrf": {csrf}})
	_, page := b.get("/app/settings")
	revoke := regexp.MustCompile(`action="/app/settings/devices/([^"/]+)/revoke"`).FindAllStringSubmatch(page, -1)
	if len(revoke) != 2 || !strings.Contains(page, "never used") {
		t.Fatalf("settings list %d sets of calendar links:\n%s", len(revoke), page)
	}
	if st, page, _ := b.post("/app/settings/devices/"+revoke[0][1]+"/revoke", url.Values{"csrf": {csrf}}); st != 200 || strings.Contains(page, revoke[0][1]) || !strings.Contains(page, revoke[1][1]) {
		t.Fatalf("revoke one device's links: %d", st)
	}
	newPhone(t, s).post("/app/settings/devices/"+revoke[1][1]+"/revoke", url.Values{}) // no session: to the sign-in page
	if _, page := b.get("/app/settings"); !strings.Contains(page, revoke[1][1]) {
		t.Fatal("revoked without a session")
	}

	// A password set on the settings page signs in on another phone.
	if st, page, _ := b.post("/app/settings/password", url.Values{"csrf": {csrf}, "password": {"short"}}); st != 422 || !strings.Contains(page, "at least 10 characters") {
		t.Fatalf("short password: %d", st)
	}
	if st, _, _ := b.post("/app/settings/password", url.Values{"csrf": {csrf}, "password": {"correct horse battery"}}); st != 200 {
		t.Fatalf("set password: %d", st)
	}
	if st, page, _ := b.post("/app/settings/password", url.Values{"csrf": {csrf}, "password": {"another long one"}, "current_password": {"wrong wrong wrong"}}); st != 422 || !strings.Contains(page, "not your current password") {
		t.Fatalf("wrong current password: %d", st)
	}
	if st, page, _ := newPhone(t, s).login("ada@example.com", "correct horse battery", ""); st != 200 || !strings.Contains(page, "Log a contact") {
		t.Fatalf("sign in with the new password: %d", st)
	}
}

// TestWebScan: the scan page reads a code's text (what the camera found)
// or a photo of it, and opens the log form filled in.
func TestWebScan(t *testing.T) {
	t.Parallel()
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	b := newPhone(t, s)
	b.login("ada@example.com", tok, "")
	st, page := b.get("/app/scan")
	if st != 200 || !strings.Contains(page, `src="/app/static/scan.js"`) || !strings.Contains(page, `name="photo" type="file"`) {
		t.Fatalf("scan page: %d", st)
	}
	if st, js := b.get("/app/static/scan.js"); st != 200 || !strings.Contains(js, "BarcodeDetector") {
		t.Fatalf("scan.js: %d", st)
	}
	csrf := hiddenIn(t, page, "csrf")
	vcard := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nORG:Navy\r\nTITLE:Rear Admiral\r\nEMAIL:grace@example.com\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n"
	st, page, _ = b.post("/app/scan", url.Values{"csrf": {csrf}, "text": {vcard}})
	if st != 200 {
		t.Fatalf("scan text: %d", st)
	}
	for _, want := range []string{`name="name" type="text" autocomplete="off" value="Grace Hopper"`, `value="grace@example.com"`, `value="Navy"`, `value="Rear Admiral"`, `action="/app/encounters"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("log form lacks %s:\n%s", want, page)
		}
	}
	// The filled-in form saves the contact.
	v := url.Values{"csrf": {hiddenIn(t, page, "csrf")}, "form_id": {hiddenIn(t, page, "form_id")}, "event_title": {"Meetup"}, "moment": {"after_talk"}}
	for _, k := range []string{"name", "email", "company", "title", "phone"} {
		v.Set(k, map[string]string{"name": "Grace Hopper", "email": "grace@example.com", "company": "Navy", "title": "Rear Admiral", "phone": "+1 555 0100"}[k])
	}
	if st, _, _ := b.post("/app/encounters", v); st != 200 {
		t.Fatalf("save: %d", st)
	}
	c := s.Do(t, "GET", "/v1/contacts?q=grace", tok, nil).JSON(t)["items"].([]any)[0].(map[string]any)
	if c["title"] != "Rear Admiral" {
		t.Fatalf("saved contact: %v", c)
	}

	// A photo of a code, decoded on the server.
	png, err := qr.PNG("MECARD:N:Hamilton,Margaret;EMAIL:margaret@example.com;;", 400)
	if err != nil {
		t.Fatal(err)
	}
	if st, page := b.postPhoto("/app/scan", csrf, png); st != 200 || !strings.Contains(page, `value="margaret@example.com"`) {
		t.Fatalf("scan photo: %d\n%s", st, page)
	}
	// Nothing readable: the scan page again, saying so.
	blank, _ := qr.PNG("just some words", 200)
	if st, page := b.postPhoto("/app/scan", csrf, blank); st != 422 || !strings.Contains(page, "Could not read that") {
		t.Fatalf("unreadable code: %d", st)
	}
	if st, page := b.postPhoto("/app/scan", csrf, []byte("not an image")); st != 422 || !strings.Contains(page, "not a PNG or JPEG") {
		t.Fatalf("not an image: %d", st)
	}
	// Over 5 MiB: 413.
	if st, _ := b.postPhoto("/app/scan", csrf, make([]byte, 5<<20+1)); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("6 MiB photo: %d", st)
	}
}
