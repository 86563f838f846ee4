package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/config"
	"github.com/rapport-crm/rapport/pkg/mailtest"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// smtpScript sends one message with Python's smtplib and prints "ok" or
// the SMTP code that refused it. Arguments: host, port, envelope sender,
// comma-separated recipients, then the message on stdin.
const smtpScript = `
import smtplib, ssl, sys
host, port, sender, rcpts = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
cafile = sys.argv[5] if len(sys.argv) > 5 else ""
msg = sys.stdin.buffer.read()
try:
    with smtplib.SMTP(host, port, timeout=20) as s:
        if cafile:
            s.ehlo()
            if not s.has_extn("starttls"):
                print("no STARTTLS")
                sys.exit(0)
            s.starttls(context=ssl.create_default_context(cafile=cafile))
        s.sendmail(sender, rcpts, msg)
    print("ok")
except smtplib.SMTPRecipientsRefused as e:
    print(min(code for code, _ in e.recipients.values()))
except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused, smtplib.SMTPResponseException) as e:
    print(e.smtp_code)
`

// send delivers raw to rcpts through the inbound listener with smtplib;
// with a CA file it first switches to TLS (STARTTLS) trusting it.
func send(t *testing.T, m *Main, rcpts []string, raw string, cafile ...string) string {
	t.Helper()
	python := tooltest.NeedPython(t, "smtplib")
	host, port, _ := strings.Cut(m.InboundAddr, ":")
	cmd := exec.Command(python, append([]string{"-c", smtpScript, host, port, "me@example.com", strings.Join(rcpts, ",")}, cafile...)...)
	cmd.Stdin = strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// inboundUser signs a user up on m and returns their token and their
// first GET /v1/me (the one showing the inbound address in full).
func inboundUser(t *testing.T, m *Main) (string, map[string]any) {
	t.Helper()
	_, signup := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "me@example.com", "name": "Me"})
	tok := signup["token"].(string)
	_, me := call(t, m, "GET", "/v1/me", tok, nil)
	return tok, me
}

// TestEmailLoggedByBCC: mail sent with Python's smtplib to a user's
// inbound address (Bcc) logs an email interaction on each contact in it,
// once per Message-ID; a forwarded message logs the original sender; any
// other recipient, an unknown or rotated secret, and a message over 10 MiB
// are refused.
func TestEmailLoggedByBCC(t *testing.T) {
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_INBOUND_ADDR": "127.0.0.1:0",
		"CRM_BASE_URL": "https://rapport.example"}))
	defer m.Close()
	tok, me := inboundUser(t, m)
	addr, _ := me["inbound_email"].(string)
	if !strings.HasPrefix(addr, "log+") || !strings.HasSuffix(addr, "@rapport.example") || me["inbound_email_shown"] != true {
		t.Fatalf("inbound_email %q (shown %v)", addr, me["inbound_email_shown"])
	}
	if _, again := call(t, m, "GET", "/v1/me", tok, nil); again["inbound_email"] != "log+…@rapport.example" {
		t.Fatalf("second GET shows %v, want it masked", again["inbound_email"])
	}
	ids := map[string]string{}
	for _, c := range []struct{ name, email string }{{"Ada Lovelace", "ada@example.com"}, {"Grace Hopper", "grace@example.com"}} {
		st, body := call(t, m, "POST", "/v1/contacts", tok, map[string]any{"name": c.name, "emails": []string{c.email}})
		if st != 201 {
			t.Fatalf("create contact: %d %v", st, body)
		}
		ids[c.email] = body["id"].(string)
	}
	interactions := func(email string) []any {
		t.Helper()
		_, body := call(t, m, "GET", "/v1/contacts/"+ids[email]+"/interactions", tok, nil)
		items, _ := body["items"].([]any)
		return items
	}

	bcc := "From: Me <me@example.com>\nTo: Ada Lovelace <ada@example.com>, Someone <nobody@example.org>\nSubject: The FFI slides\nDate: Tue, 24 Nov 2026 20:15:00 +0100\nMessage-ID: <slides-1@example.com>\n\nHi Ada, here are the slides from tonight.\n"
	for range 2 { // the same Message-ID twice logs once
		if got := send(t, m, []string{"ada@example.com", addr}, bcc); got != "ok" {
			t.Fatalf("BCC: %s", got)
		}
	}
	items := interactions("ada@example.com")
	if len(items) != 1 {
		t.Fatalf("%d interactions with Ada, want 1", len(items))
	}
	it := items[0].(map[string]any)
	if it["kind"] != "email" || !strings.Contains(it["notes"].(string), "The FFI slides") || !strings.Contains(it["notes"].(string), "here are the slides") ||
		!strings.HasPrefix(it["at"].(string), "2026-11-24T19:15:00") {
		t.Fatalf("interaction %v", it)
	}

	fwd := "From: Me <me@example.com>\nTo: " + addr + "\nSubject: Fwd: an intro\nMessage-ID: <fwd-1@example.com>\n\n---------- Forwarded message ---------\nFrom: Grace Hopper <grace@example.com>\nDate: Mon, 23 Nov 2026\nSubject: an intro\n\nCould you introduce me to Ada?\n"
	if got := send(t, m, []string{addr}, fwd); got != "ok" {
		t.Fatalf("forward: %s", got)
	}
	if n := len(interactions("grace@example.com")); n != 1 {
		t.Fatalf("%d interactions with the forwarded message's sender, want 1", n)
	}

	// Mail in the wild: a raw 8-bit byte in the Subject, a NUL in the
	// body, CRLF line ends (send writes them). Logged, cleaned — never a
	// 451, which a sender retries for days.
	odd := "From: Me <me@example.com>\nTo: Ada <ada@example.com>\nSubject: Caf\xe9 notes\nMessage-ID: <odd-1@example.com>\n\nline one\x00 and\nline two\n"
	if got := send(t, m, []string{"ada@example.com", addr}, odd); got != "ok" {
		t.Fatalf("a message with an 8-bit Subject and a NUL: %s, want ok", got)
	}
	var logged string
	for _, it := range interactions("ada@example.com") {
		if n := it.(map[string]any)["notes"].(string); strings.Contains(n, "line two") {
			logged = n
		}
	}
	if !strings.Contains(logged, "Caf\uFFFD notes") || !strings.Contains(logged, "line one and\nline two") || strings.ContainsAny(logged, "\x00\r") {
		t.Fatalf("the odd message was logged as %q", logged)
	}

	plain := "From: me@example.com\nTo: x@example.org\nSubject: hi\n\nhi\n"
	local, _, _ := strings.Cut(addr, "@")
	for _, rcpt := range []string{"someone@example.org", "log+aaaaaaaaaaaaaaaaaaaaaaaaaa@rapport.example", local + "@elsewhere.example"} {
		if got := send(t, m, []string{rcpt}, plain); got != "550" {
			t.Errorf("to %s: %s, want 550", rcpt, got)
		}
	}
	big := "From: me@example.com\nTo: " + addr + "\nSubject: big\n\n" + strings.Repeat(strings.Repeat("x", 998)+"\n", 11<<10)
	if got := send(t, m, []string{addr}, big); got != "552" {
		t.Errorf("a message over 10 MiB: %s, want 552", got)
	}

	st, rotated := call(t, m, "POST", "/v1/me/inbound/rotate", tok, nil)
	if st != 200 || rotated["inbound_email"] == addr {
		t.Fatalf("rotate: %d %v", st, rotated)
	}
	if got := send(t, m, []string{addr}, plain); got != "550" {
		t.Errorf("the rotated-out address: %s, want 550", got)
	}
	if got := send(t, m, []string{rotated["inbound_email"].(string)}, plain); got != "ok" {
		t.Errorf("the new address: %s", got)
	}
}

// TestInboundRefusesDeepParts: a message whose parts nest deeper than mail
// nests (each level costs every byte below it a pass; 20,000 levels in
// 1.1 MB took 41 s) is refused for good, saying why, and nothing of it is
// logged.
func TestInboundRefusesDeepParts(t *testing.T) {
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_INBOUND_ADDR": "127.0.0.1:0",
		"CRM_BASE_URL": "https://rapport.example"}))
	defer m.Close()
	tok, me := inboundUser(t, m)
	addr, _ := me["inbound_email"].(string)
	st, ada := call(t, m, "POST", "/v1/contacts", tok, map[string]any{"name": "Ada Lovelace", "emails": []string{"ada@example.com"}})
	if st != 201 {
		t.Fatalf("create contact: %d %v", st, ada)
	}
	var deep strings.Builder
	deep.WriteString("From: Me <me@example.com>\nTo: Ada <ada@example.com>\nSubject: deep\nMessage-ID: <deep-1@example.com>\n")
	for i := range 40 {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
	}
	deep.WriteString("Content-Type: text/plain\n\nhi\n")
	for i := 39; i >= 0; i-- {
		fmt.Fprintf(&deep, "--b%d--\n", i)
	}
	if got := send(t, m, []string{addr}, deep.String()); got != "554" {
		t.Errorf("parts nested 40 deep: %s, want 554", got)
	}
	if _, body := call(t, m, "GET", "/v1/contacts/"+ada["id"].(string)+"/interactions", tok, nil); len(body["items"].([]any)) != 0 {
		t.Errorf("the refused message logged %v", body["items"])
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key (PEM) and
// returns their files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	mailtest.WriteCert(t, certFile, keyFile, "mx.rapport.example")
	return certFile, keyFile
}

// TestInboundSTARTTLS: with a certificate configured the listener offers
// STARTTLS, and mail sent over it (smtplib, verifying the certificate) is
// logged; without one it offers none; a half or unreadable configuration
// is refused at start, naming the variable.
func TestInboundSTARTTLS(t *testing.T) {
	certFile, keyFile := selfSigned(t)
	env := map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_INBOUND_ADDR": "127.0.0.1:0", "CRM_BASE_URL": "https://rapport.example",
		"CRM_INBOUND_TLS_CERT": certFile, "CRM_INBOUND_TLS_KEY": keyFile}
	m := mustRun(t, mustConfig(t, env))
	defer m.Close()
	_, signup := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "me@example.com", "name": "Me"})
	tok := signup["token"].(string)
	_, me := call(t, m, "GET", "/v1/me", tok, nil)
	addr := me["inbound_email"].(string)
	_, ada := call(t, m, "POST", "/v1/contacts", tok, map[string]any{"name": "Ada", "emails": []string{"ada@example.com"}})
	msg := "From: me@example.com\nTo: ada@example.com\nSubject: over TLS\nMessage-ID: <tls-1@example.com>\n\nsent encrypted\n"
	if got := send(t, m, []string{"ada@example.com", addr}, msg, certFile); got != "ok" {
		t.Fatalf("over STARTTLS: %s", got)
	}
	_, its := call(t, m, "GET", "/v1/contacts/"+ada["id"].(string)+"/interactions", tok, nil)
	if items, _ := its["items"].([]any); len(items) != 1 {
		t.Fatalf("interactions after mail over TLS: %v", its)
	}

	plain := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_INBOUND_ADDR": "127.0.0.1:0", "CRM_BASE_URL": "https://rapport.example"}))
	defer plain.Close()
	if got := send(t, plain, []string{"x@example.org"}, msg, certFile); got != "no STARTTLS" {
		t.Fatalf("without a certificate: %s", got)
	}

	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CRM_INBOUND_TLS_KEY": keyFile}, "CRM_INBOUND_TLS_CERT"},
		{map[string]string{"CRM_INBOUND_TLS_CERT": certFile}, "CRM_INBOUND_TLS_KEY"},
		{map[string]string{"CRM_INBOUND_TLS_CERT": keyFile, "CRM_INBOUND_TLS_KEY": keyFile}, "CRM_INBOUND_TLS_CERT"},
	} {
		c.env["CRM_INBOUND_ADDR"], c.env["CRM_DATA_DIR"], c.env["CRM_ADDR"] = "127.0.0.1:0", t.TempDir(), "127.0.0.1:0"
		if _, err := config.FromEnv(func(k string) string { return c.env[k] }); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %s", c.env, err, c.want)
		}
	}
}

// TestScanAnotherRapportCard: a scanned QR code of another Rapport user's
// card (its page's address) is read through the card's vCard, fetched by
// the same guard as calendar imports: with private addresses allowed (a
// LAN, or this loopback test) it gives the card's details; with them
// refused it is a 422 naming text and no connection is made.
func TestScanAnotherRapportCard(t *testing.T) {
	for _, allow := range []string{"true", "false"} {
		m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_OPEN_SIGNUP": "true", "CRM_ALLOW_PRIVATE_URLS": allow}))
		_, a := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada Lovelace"})
		_, b := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "grace@example.com", "name": "Grace Hopper"})
		st, me := call(t, m, "PATCH", "/v1/me", a["token"].(string), map[string]any{"card": map[string]any{"enabled": true, "company": "Analytical Engines", "email": "ada@example.com"}})
		if st != 200 {
			t.Fatalf("card on: %d %v", st, me)
		}
		cardURL := "http://" + m.Addr + "/c/" + me["card"].(map[string]any)["card_id"].(string) + "?e=AAAAAAAAAAAAAAAA"
		st, got := call(t, m, "POST", "/v1/scan", b["token"].(string), map[string]any{"text": cardURL})
		if allow == "true" {
			c, _ := got["contact"].(map[string]any)
			if st != 200 || c["name"] != "Ada Lovelace" || c["company"] != "Analytical Engines" {
				t.Fatalf("scanning a Rapport card: %d %v", st, got)
			}
		} else if st != 422 || !strings.Contains(fmt.Sprint(got["errors"]), "text") {
			t.Fatalf("scanning a card on a private address with them refused: %d %v", st, got)
		}
		m.Close()
	}
}
