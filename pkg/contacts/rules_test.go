package contacts

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

var now = time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)

// fieldsOf names the fields an error reports, in order.
func fieldsOf(err error) string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// TestInputApply: a contact's fields — emails lower-cased and deduplicated,
// LinkedIn in its one stored form — and each refusal naming its field,
// prefixed for an inline contact.
func TestInputApply(t *testing.T) {
	for _, tc := range []struct {
		name, prefix string
		in           Input
		fields       string
		check        func(t *testing.T, c *Contact)
	}{
		{"Full", "", Input{Name: " Ada Lovelace ", Emails: []string{"ADA@example.com", "ada@example.com"}, Phones: []string{"+44 1", ""},
			LinkedInURL: "uk.linkedin.com/in/Ada-L/details", Tags: []string{"Go"}, CadenceDays: 30}, "", func(t *testing.T, c *Contact) {
			if c.Name != "Ada Lovelace" || fmt.Sprint(c.Emails) != "[ada@example.com]" || fmt.Sprint(c.Phones) != "[+44 1]" ||
				c.LinkedInURL != "https://www.linkedin.com/in/ada-l" || !strings.Contains(SearchText(c), "ada lovelace") {
				t.Errorf("%+v", c)
			}
		}},
		{"NoName", "", Input{}, "name", nil},
		{"InlinePrefix", "contact.", Input{Emails: []string{"nope"}}, "contact.name,contact.emails[0]", nil},
		{"NotLinkedIn", "", Input{Name: "x", LinkedInURL: "https://example.com/in/x"}, "linkedin_url", nil},
		{"Cadence", "", Input{Name: "x", CadenceDays: 5000}, "cadence_days", nil},
		{"KnownSinceDate", "", Input{Name: "x", KnownSince: "2019-05-01"}, "", func(t *testing.T, c *Contact) {
			if want := time.Date(2019, 5, 1, 12, 0, 0, 0, time.UTC); !c.KnownSince.Equal(want) {
				t.Errorf("known_since %v, want noon UTC of the day: %v", c.KnownSince, want)
			}
		}},
		{"KnownSinceTime", "", Input{Name: "x", KnownSince: "2019-05-01T18:30:00+02:00"}, "", func(t *testing.T, c *Contact) {
			if want := time.Date(2019, 5, 1, 16, 30, 0, 0, time.UTC); !c.KnownSince.Equal(want) {
				t.Errorf("known_since %v, want %v", c.KnownSince, want)
			}
		}},
		{"KnownSinceNotADate", "contact.", Input{Name: "x", KnownSince: "last spring"}, "contact.known_since", nil},
		{"KnownSinceLongAgo", "", Input{Name: "x", KnownSince: "1899-12-31"}, "known_since", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Contact
			err := tc.in.apply(&c, tc.prefix)
			if got := fieldsOf(err); (err == nil) != (tc.fields == "") || got != tc.fields {
				t.Fatalf("fields %q (%v), want %q", got, err, tc.fields)
			}
			if tc.check != nil {
				tc.check(t, &c)
			}
		})
	}
}

// TestCanonicalLinkedIn: the forms people paste, to the one stored.
func TestCanonicalLinkedIn(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.linkedin.com/in/jane-doe/":              "https://www.linkedin.com/in/jane-doe",
		"linkedin.com/in/Jane-Doe?trk=x#y":                   "https://www.linkedin.com/in/jane-doe",
		"http://de.linkedin.com/in/jane-doe/recent-activity": "https://www.linkedin.com/in/jane-doe",
		"https://www.linkedin.com/company/Acme":              "https://www.linkedin.com/company/acme",
		"https://linkedin.com/in/":                           "",
		"https://evil.com/linkedin.com/in/x":                 "",
		"https://user@linkedin.com/in/x":                     "",
		"ftp://linkedin.com/in/x":                            "",
		"":                                                   "",
	} {
		if got := CanonicalLinkedIn(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	if NormalizeLinkedIn("https://www.linkedin.com/in/jane-doe") != "linkedin.com/in/jane-doe" {
		t.Error("the dedupe form")
	}
	keys := DedupeKeys(&Contact{Emails: []string{"a@x.com"}, LinkedInURL: "https://www.linkedin.com/in/a", DAVName: "card-1"})
	if fmt.Sprint(keys) != "[email:a@x.com linkedin:linkedin.com/in/a dav:card-1]" {
		t.Errorf("keys %v", keys)
	}
	for key, want := range map[string]string{"linkedin:x": "this LinkedIn URL", "dav:x": "this card name", "email:x": "this email"} {
		if KeyTaken(key) != want {
			t.Errorf("KeyTaken(%s) = %q", key, KeyTaken(key))
		}
	}
}

// TestEncounterCheck: one contact (an id or an inline one), a moment, a
// time not more than ClockSkew ahead; topics kept and lower-cased.
func TestEncounterCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     EncounterInput
		fields string
	}{
		{"OK", EncounterInput{ContactID: "c1", Moment: "after_talk", MetAt: "2026-11-24T17:10:00Z", Topics: []string{"Go"}}, ""},
		{"NoContact", EncounterInput{Moment: "other"}, "contact_id"},
		{"Both", EncounterInput{ContactID: "c1", Contact: &Input{Name: "x"}, Moment: "other"}, "contact"},
		{"NoMoment", EncounterInput{ContactID: "c1"}, "moment"},
		{"BadMoment", EncounterInput{ContactID: "c1", Moment: "at lunch"}, "moment"},
		{"Future", EncounterInput{ContactID: "c1", Moment: "other", MetAt: "2026-11-24T17:16:00Z"}, "met_at"},
		{"BadTime", EncounterInput{ContactID: "c1", Moment: "other", MetAt: "yesterday"}, "met_at"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := tc.in.Check(now)
			if got := fieldsOf(err); (err == nil) != (tc.fields == "") || got != tc.fields {
				t.Fatalf("fields %q (%v), want %q", got, err, tc.fields)
			}
			if err == nil && (fmt.Sprint(e.Topics) != "[Go]" || !e.MetAt.Equal(now.Add(10*time.Minute))) {
				t.Errorf("%+v", e)
			}
		})
	}
	if e, err := (EncounterInput{ContactID: "c1", Moment: "other"}).Check(now); err != nil || !e.MetAt.Equal(now) {
		t.Errorf("met_at defaults to now: %v, %v", e, err)
	}
}

// TestIntros: two different contacts; made at once, or proposed with
// double opt-in; the moves allowed from each status.
func TestIntros(t *testing.T) {
	for _, tc := range []struct {
		in     IntroInput
		status string
		fields string
	}{
		{IntroInput{ContactIDs: []string{"a", "b"}}, IntroMade, ""},
		{IntroInput{ContactIDs: []string{"a", "b"}, DoubleOptIn: true}, IntroProposed, ""},
		{IntroInput{ContactIDs: []string{"a"}}, "", "contact_ids"},
		{IntroInput{ContactIDs: []string{"a", "a"}}, "", "contact_ids"},
		{IntroInput{ContactIDs: []string{"a", ""}}, "", "contact_ids"},
	} {
		it, err := tc.in.Check(now)
		if got := fieldsOf(err); got != tc.fields || err == nil && it.Status != tc.status {
			t.Errorf("%+v: fields %q, status %q", tc.in, got, it.Status)
		}
	}
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{IntroProposed, IntroAccepted, true}, {IntroProposed, IntroDeclined, true}, {IntroProposed, IntroMade, false},
		{IntroAccepted, IntroMade, true}, {IntroMade, IntroDeclined, false}, {IntroDeclined, IntroProposed, false},
		{IntroMade, IntroMade, true},
	} {
		if CanMove(tc.from, tc.to) != tc.ok {
			t.Errorf("%s → %s: %v", tc.from, tc.to, !tc.ok)
		}
	}
}

func TestCardNameOK(t *testing.T) {
	for name, want := range map[string]bool{
		"0A6F9C1B-5D2E-4F3A-9B1C-7D8E9F0A1B2C": true, "ada.lovelace_1": true, "x": true, strings.Repeat("a", 100): true,
		"": false, strings.Repeat("a", 101): false, ".hidden": false, "-x": false, "_x": false, "a/b": false, "a b": false,
		"ä": false, "a..b": true, "a%2Fb": false,
	} {
		if got := CardNameOK(name); got != want {
			t.Errorf("CardNameOK(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestKnownSinceRules: a known_since ahead of the clock is refused, naming
// the field; merging in a row (an import, a merge) takes the earlier of the
// two, whatever their form, and never a later one.
func TestKnownSinceRules(t *testing.T) {
	c := &Contact{KnownSince: now.Add(time.Minute)}
	if err := checkKnownSince(c, now, "contact."); fieldsOf(err) != "contact.known_since" {
		t.Fatalf("a known_since in the future: %v", err)
	}
	c.KnownSince = now
	if err := checkKnownSince(c, now, ""); err != nil {
		t.Fatalf("known since now: %v", err)
	}
	for _, tc := range []struct{ have, row, want string }{
		{"2024-03-01T10:00:00Z", "2023-12-06", "2023-12-06"},
		{"2024-03-01T10:00:00Z", "2025-01-01", "2024-03-01T10:00:00Z"},
		{"", "2023-12-06", "2023-12-06"},
		{"2024-03-01T10:00:00Z", "", "2024-03-01T10:00:00Z"},
		{"2024-03-01T10:00:00Z", "not a date", "2024-03-01T10:00:00Z"},
	} {
		m := Input{KnownSince: tc.have}
		m.absorb(Input{KnownSince: tc.row})
		if m.KnownSince != tc.want {
			t.Errorf("%q absorbing %q: %q, want %q", tc.have, tc.row, m.KnownSince, tc.want)
		}
	}
}
