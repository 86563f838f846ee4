package caldav

import (
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

func todo(t *testing.T, props string) *ical.Component {
	t.Helper()
	raw := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VTODO\r\nUID:1\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Thank-you: Ada\r\n" + props + "END:VTODO\r\nEND:VCALENDAR\r\n"
	cal, err := ical.NewDecoder(strings.NewReader(raw)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	return cal.Component
}

// TestToDoTimeRange follows the table of RFC 4791 §9.9 for VTODO.
func TestToDoTimeRange(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse("20060102T150405Z", s); return v }
	for _, tc := range []struct {
		props      string
		start, end string
		want       bool
	}{
		{"DUE:20260110T090000Z\r\n", "20260110T000000Z", "20260111T000000Z", true},
		{"DUE:20260110T090000Z\r\n", "20260111T000000Z", "20260112T000000Z", false},
		{"DUE:20260110T090000Z\r\n", "20260101T000000Z", "", true},
		{"DTSTART:20260110T090000Z\r\nDUE:20260112T090000Z\r\n", "20260111T000000Z", "20260111T010000Z", true},
		{"DTSTART:20260110T090000Z\r\n", "20260109T000000Z", "20260110T000000Z", false},
		{"COMPLETED:20260105T090000Z\r\n", "20260105T000000Z", "20260106T000000Z", true},
		{"", "20000101T000000Z", "20000102T000000Z", true},
	} {
		var start, end time.Time
		start = at(tc.start)
		if tc.end != "" {
			end = at(tc.end)
		}
		f := CompFilter{Name: "VCALENDAR", Comps: []CompFilter{{Name: "VTODO", Start: start, End: end}}}
		got, err := match(f, todo(t, tc.props))
		if err != nil || got != tc.want {
			t.Errorf("%q in [%s, %s): %v, %v; want %v", tc.props, tc.start, tc.end, got, err, tc.want)
		}
	}
}

// TestTextAndDefinedFilters: text-match folds case by default, negates,
// and is-not-defined excludes a defined property or component.
func TestTextAndDefinedFilters(t *testing.T) {
	comp := todo(t, "DUE:20260110T090000Z\r\n")
	prop := func(pf PropFilter) CompFilter {
		return CompFilter{Name: "VCALENDAR", Comps: []CompFilter{{Name: "VTODO", Props: []PropFilter{pf}}}}
	}
	for _, tc := range []struct {
		f    CompFilter
		want bool
	}{
		{prop(PropFilter{Name: "SUMMARY", TextMatch: &TextMatch{Text: "ADA"}}), true},
		{prop(PropFilter{Name: "SUMMARY", TextMatch: &TextMatch{Text: "ADA", Collation: "i;octet"}}), false},
		{prop(PropFilter{Name: "SUMMARY", TextMatch: &TextMatch{Text: "ada", NegateCondition: true}}), false},
		{prop(PropFilter{Name: "SUMMARY", IsNotDefined: true}), false},
		{prop(PropFilter{Name: "LOCATION", IsNotDefined: true}), true},
		{CompFilter{Name: "VCALENDAR", Comps: []CompFilter{{Name: "VTODO", IsNotDefined: true}}}, false},
		{CompFilter{Name: "VCALENDAR", Comps: []CompFilter{{Name: "VEVENT", IsNotDefined: true}}}, true},
	} {
		if got, err := match(tc.f, comp); err != nil || got != tc.want {
			t.Errorf("%+v: %v, %v; want %v", tc.f.Comps[0], got, err, tc.want)
		}
	}
}
