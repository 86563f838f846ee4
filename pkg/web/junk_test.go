package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNoFormFailsOnWhatIsTyped: every form of the desk, sent with each of
// its fields empty, too long, holding control characters and markup, an
// impossible date, or another user's id, answers with what was wrong (or
// does what it can), never with a server failure. The routes are read from
// the app (forms).
func TestNoFormFailsOnWhatIsTyped(t *testing.T) {
	t.Parallel()
	s := mustServe(t)
	ada := s.signup(t, "ada@example.com")
	mine := adasRecords(t, s, ada)
	eves := s.create(t, s.signup(t, "eve@example.com"), "/v1/contacts", map[string]any{"name": "Eve's"})
	b := s.signedIn(t, "ada@example.com", ada)
	csrf := b.csrf()

	routes := mine.forms(t, s)
	fields := strings.Fields("name title kind moment note notes due days until stage status outcome other_id merge_other confirm sure context " +
		"starts_at ends_at location tags tag topics email emails phone phones company linkedin_url website event_id event_title ids action " +
		"attendee_id meet learn give targets series next_step next_step_at timezone nudge_hour notify_email webhook_url card_links q sort before from")
	for _, rt := range routes {
		path, filled := rt.Route, rt.Path
		for i, junk := range []string{"", strings.Repeat("a", 5000), "\x00\u202e<script>x</script>", "2026-02-30T25:61", eves} {
			v := url.Values{"form_id": {fmt.Sprint("junk-", i)}, "csrf": {csrf}}
			for _, f := range fields {
				v.Set(f, junk)
			}
			if code, page := b.post(filled, v); code >= 500 || code == http.StatusForbidden { // 403: the form was not read
				t.Errorf("POST %s with every field %.20q: %d\n%.300s", path, junk, code, page)
			}
		}
	}
}
