package dav_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/dav"
)

// TestGroupCardKeptAsSent: a group macOS Contacts keeps as a card of its
// own (X-ADDRESSBOOKSERVER-KIND:group, a MEMBER line per member), and
// vCard 4.0's KIND:group as DAVx5 writes it, come back as they were sent:
// the app keeps its group (Rapport reads it as a contact named after it;
// docs/apps.md says so).
func TestGroupCardKeptAsSent(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	for _, tc := range []struct {
		name, card string
		want       []string
	}{
		{"macOS", "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//macOS 15.1//EN\r\nN:Berlin Go;;;;\r\nFN:Berlin Go\r\n" +
			"X-ADDRESSBOOKSERVER-KIND:group\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-000000000001\r\n" +
			"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-000000000002\r\nUID:0A6F9C1B-group\r\nEND:VCARD\r\n",
			[]string{"X-ADDRESSBOOKSERVER-KIND:group", "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-000000000001",
				"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:5B0C1D2E-0000-4000-8000-000000000002", "UID:0A6F9C1B-group", "FN:Berlin Go"}},
		{"vCard4", "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nFN:Speakers\r\nMEMBER:urn:uuid:7d3c5a10-0000-4000-8000-000000000003\r\n" +
			"UID:5f0e-davx5-group\r\nEND:VCARD\r\n",
			[]string{"KIND:group", "MEMBER:urn:uuid:7d3c5a10-0000-4000-8000-000000000003", "UID:5f0e-davx5-group", "FN:Speakers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			href := dav.BookPath + tc.name + "-group.vcf"
			if r := s.do(t, u, "PUT", href, tc.card, "Content-Type", "text/vcard", "If-None-Match", "*"); r.StatusCode != http.StatusCreated {
				t.Fatalf("PUT: %d", r.StatusCode)
			}
			accept := "text/vcard"
			if tc.name == "vCard4" {
				accept = "text/vcard; version=4.0"
			}
			r := s.do(t, u, "GET", href, "", "Accept", accept)
			b, _ := io.ReadAll(r.Body)
			got := string(b)
			for _, want := range tc.want {
				if !strings.Contains(got, want+"\r\n") {
					t.Errorf("the group's card served has no %q:\n%s", want, got)
				}
			}
		})
	}
}
