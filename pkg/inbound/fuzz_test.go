package inbound_test

import (
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/inbound"
)

// FuzzParse: the MIME reader never panics, and what it returns is sane.
func FuzzParse(f *testing.F) {
	f.Add("From: Me <me@example.com>\r\nTo: a@example.com\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n")
	f.Add("From: me@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nGr\xfc\xdfe\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: Grace <grace@example.com>\r\n\r\nx\r\n--b--\r\n")
	f.Add("Subject: Fwd\r\n\r\n---------- Forwarded message ---------\r\nFrom: Grace Hopper <grace@example.com>\r\n")
	f.Add("Content-Type: text/html\r\n\r\n<p>Hi<script>x</script><div>_____</div><div>Von: Grace &lt;grace@example.com&gt;</div><style>")
	f.Fuzz(func(t *testing.T, raw string) {
		m, err := inbound.Parse(strings.NewReader(raw))
		if err != nil {
			return
		}
		for _, a := range m.Addresses {
			if a != strings.ToLower(a) || a == "" {
				t.Fatalf("address %q", a)
			}
		}
	})
}
