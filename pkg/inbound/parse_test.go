package inbound_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/inbound"
)

// nested is a well-formed message whose text part sits depth multiparts
// down, each closed after it.
func nested(depth int) string {
	var b strings.Builder
	b.WriteString("From: Me <me@example.com>\r\nTo: Ada <ada@example.com>\r\nSubject: deep\r\n")
	for i := range depth {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nthe slides\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.String()
}

// TestParseNesting: mail nested as deep as mail in the wild is read to its
// text; deeper is refused, naming why, before its parts are read (each
// level is a reader every byte below it passes through: 20,000 levels in
// 1.1 MB took 41 s).
func TestParseNesting(t *testing.T) {
	for _, depth := range []int{0, 1, 3, 16} {
		m, err := inbound.Parse(strings.NewReader(nested(depth)))
		if err != nil || strings.TrimSpace(m.Text) != "the slides" || len(m.Addresses) != 2 {
			t.Errorf("depth %d: %+v, %v", depth, m, err)
		}
	}
	for _, depth := range []int{17, 200, 20000} {
		if m, err := inbound.Parse(strings.NewReader(nested(depth))); err == nil || !strings.Contains(err.Error(), "nest deeper than 16") {
			t.Errorf("depth %d: %+v, %v; want it refused", depth, m, err)
		}
	}
}

// TestParseAddresses: a message may name 1,000 addresses in From, To, Cc
// and forwarded parts together; each is looked up among the user's
// contacts, so more are refused rather than looked up (a 1 MiB header
// names 40,000).
func TestParseAddresses(t *testing.T) {
	message := func(n int) string {
		var b strings.Builder
		b.WriteString("From: me@example.com\r\nTo: ")
		for i := range n - 2 {
			fmt.Fprintf(&b, "p%d@example.org,\r\n ", i)
		}
		b.WriteString("last@example.org\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
		b.WriteString("--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: grace@example.com\r\n\r\nx\r\n--b--\r\n")
		return b.String()
	}
	if m, err := inbound.Parse(strings.NewReader(message(999))); err != nil || len(m.Addresses) != 1000 || m.Addresses[999] != "grace@example.com" {
		t.Fatalf("1,000 addresses: %v", err)
	}
	if _, err := inbound.Parse(strings.NewReader(message(1000))); err == nil || !strings.Contains(err.Error(), "more than 1000 addresses") {
		t.Fatalf("1,001 addresses: %v; want it refused", err)
	}
}

// TestParseForwarded: the original sender of a message forwarded as text,
// as mail programs write it in the sender's language; the contact to log
// it on is theirs.
func TestParseForwarded(t *testing.T) {
	for name, tc := range map[string]struct{ body, want string }{
		"GmailEnglish":       {"FYI\r\n\r\n---------- Forwarded message ---------\r\nFrom: Grace Hopper <grace@example.com>\r\nDate: Mon, Dec 1, 2026 at 10:00 AM\r\nSubject: Slides\r\nTo: <me@example.com>\r\n", "grace@example.com"},
		"GmailGerman":        {"Zur Info\r\n\r\n---------- Weitergeleitete Nachricht ---------\r\nVon: Grace Hopper <Grace@Example.com>\r\nDate: Mo., 1. Dez. 2026 um 10:00 Uhr\r\nSubject: Folien\r\nTo: <me@example.com>\r\n", "grace@example.com"},
		"GmailFrench":        {"---------- Forwarded message ---------\r\nDe : Grace Hopper <grace@example.com>\r\nDate: lun. 1 déc. 2026 à 10:00\r\n", "grace@example.com"},
		"OutlookOld":         {"\r\n-----Original Message-----\r\nFrom: Grace Hopper [mailto:grace@example.com]\r\nSent: Monday, December 1, 2026 10:00 AM\r\nTo: Me\r\n", "grace@example.com"},
		"OutlookGerman":      {"\r\n-----Ursprüngliche Nachricht-----\r\nVon: Grace Hopper [mailto:grace@example.com] \r\nGesendet: Montag, 1. Dezember 2026 10:00\r\nAn: Ich\r\n", "grace@example.com"},
		"OutlookNew":         {"Siehe unten\r\n\r\n________________________________\r\nVon: Grace Hopper <grace@example.com>\r\nGesendet: Montag, 1. Dezember 2026 10:00\r\nAn: Ich <me@example.com>\r\nBetreff: Folien\r\n", "grace@example.com"},
		"AppleGerman":        {"\r\nAnfang der weitergeleiteten Nachricht:\r\n\r\nVon: Grace Hopper <grace@example.com>\r\nBetreff: Folien\r\nDatum: 1. Dezember 2026 um 10:00:00 MEZ\r\nAn: me@example.com\r\n", "grace@example.com"},
		"Thunderbird":        {"\r\n-------- Forwarded Message --------\r\nSubject: \tSlides\r\nDate: \tMon, 1 Dec 2026 10:00:00 +0100\r\nFrom: \tGrace Hopper <grace@example.com>\r\nTo: \tme@example.com\r\n", "grace@example.com"},
		"Quoted":             {"> ---------- Forwarded message ---------\r\n> From: grace@example.com\r\n", "grace@example.com"},
		"FromWithoutAddress": {"-----Original Message-----\r\nFrom: Grace Hopper\r\nTo: Ada <ada@example.com>\r\n", ""},
		"SecondBlock": {"-----Original Message-----\r\nSubject: a\r\nDate: b\r\nTo: c@example.com\r\nCc: d@example.com\r\n\r\n" +
			"-------- Forwarded Message --------\r\nSubject: x\r\nDate: y\r\nFrom: Grace <grace@example.com>\r\n", "grace@example.com"},
		"NoMarker":     {"From: Grace Hopper <grace@example.com>\r\n", ""},
		"DashesInText": {"Agenda\r\n-----\r\n\r\nThe plan.\r\nFrom: a talk by grace@example.com\r\n", ""},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := inbound.Parse(strings.NewReader("From: Me <me@example.com>\r\nTo: log+x@rapport.test\r\nSubject: Fwd: Slides\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if n := len(m.Addresses); n > 2 {
				got = m.Addresses[n-1]
			}
			if got != tc.want {
				t.Fatalf("forwarded from %q, want %q (addresses %q)", got, tc.want, m.Addresses)
			}
		})
	}
}

// TestParseHTMLOnly: a message with no text/plain part (HTML alone, as some
// mail programs send) gives its text as a reader sees it — tags, styles
// and scripts left out, a line a block — and the sender of a forward in
// it. It gave no text and no sender.
func TestParseHTMLOnly(t *testing.T) {
	msg := "From: Me <me@example.com>\r\nTo: log+x@rapport.test\r\nSubject: Fwd: Slides\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		"<html><head><style>p{color:red}</style><script>var x = 1;</script></head><body><p>See below &amp; enjoy.</p>" +
		"<div>________________________________</div><div><b>From:</b> Grace Hopper &lt;grace@example.com&gt;<br><b>Sent:</b> Monday</div>" +
		"<p>The <i>slides</i> are attached.</p></body></html>"
	m, err := inbound.Parse(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "See below & enjoy.") || !strings.Contains(m.Text, "The slides are attached.") || strings.Contains(m.Text, "color") || strings.Contains(m.Text, "var x") {
		t.Errorf("text %q", m.Text)
	}
	if n := len(m.Addresses); n < 3 || m.Addresses[n-1] != "grace@example.com" {
		t.Errorf("addresses %q, want the forwarded sender", m.Addresses)
	}
}
