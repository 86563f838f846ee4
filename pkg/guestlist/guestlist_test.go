package guestlist

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// read reads a fixture and renders each row as "line name <email> company
// | title | linkedin status" or "line ERROR message".
func read(t *testing.T, file string) (string, []string) {
	t.Helper()
	f, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	format, err := ReadCSV(context.Background(), f, func(r Row) error {
		out = append(out, render(r))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return format, out
}

func render(r Row) string {
	if r.Err != nil {
		return fmt.Sprintf("%d ERROR %v", r.Line, r.Err)
	}
	a := r.Attendee
	return fmt.Sprintf("%d %s <%s> %s | %s | %s %s", r.Line, a.Name, a.Email, a.Company, a.Title, a.LinkedInURL, a.Status)
}

// TestVendorFiles reads a guest list of each vendor's export, in its own
// header layout, with accents, quoted commas, blank and broken lines.
func TestVendorFiles(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		want         []string
	}{
		{"luma.csv", Luma, []string{
			"2 José Núñez <jose@example.com> Acme, Inc. |  | https://www.linkedin.com/in/josenunez going",
			"3 Chloé Martin <chloe@globex.example> Globex |  |  checked_in",
			"5 Waiting Wu <wu@example.com>  |  |  waitlist",
			`6 Broken "Quote <broken@example.com>  |  |  going`,
			`7 ERROR email: "not-an-email" is not an email address`,
			"8 Dee Clined <dee@example.com>  |  |  declined",
			"9 ERROR a quote opened on this line is never closed (lines 9–10); the row was not imported, the lines after it were",
			"10 Last Line <last@example.com>  |  |  going",
		}},
		{"meetup.csv", Meetup, []string{
			"2 Ana Lima <>  | Staff Engineer, Platform |  going",
			"3 Björn Ek <>  |  |  waitlist",
			"5 ERROR name: is required",
			"6 Carl No <>  |  |  declined",
			`7 ERROR status: "Maybe" is not a meetup guest state we know`,
		}},
		{"eventbrite.csv", Eventbrite, []string{
			"2 Zoë Łukasiewicz <zoe@initech.example> Initech, GmbH | CTO |  going",
			"3 Marc Dubois <marc@example.com>  | Engineer |  checked_in",
			"4 Rae Fund <rae@example.com>  |  |  declined",
			"5 ERROR name: is required",
		}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			format, got := read(t, tc.file)
			if format != tc.format {
				t.Errorf("format %q, want %q", format, tc.format)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("rows\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tc.want, "\n     "))
			}
		})
	}
}

// TestStatus maps each format's words to ours; words a format does not
// use are errors.
func TestStatus(t *testing.T) {
	for _, tc := range []struct{ format, in, want string }{
		{Luma, "approved", "going"}, {Luma, "pending_approval", "waitlist"}, {Luma, "Waitlist", "waitlist"},
		{Luma, "invited", "waitlist"}, {Luma, "declined", "declined"}, {Luma, "", "going"}, {Luma, "maybe", "ERROR"},
		{Meetup, "Yes", "going"}, {Meetup, "No", "declined"}, {Meetup, "Waitlist", "waitlist"}, {Meetup, "approved", "ERROR"},
		{Eventbrite, "Attending", "going"}, {Eventbrite, "Checked In", "checked_in"}, {Eventbrite, "Not Attending", "declined"},
		{Eventbrite, "Refunded", "declined"}, {Eventbrite, "Transferred", "declined"}, {Eventbrite, "yes", "ERROR"},
		{Plain, "checked in", "checked_in"}, {Plain, "going", "going"}, {Plain, "waitlist", "waitlist"}, {Plain, "no", "declined"},
		{Plain, "soon", "ERROR"}, {JSON, "declined", "declined"},
	} {
		got, err := Status(tc.format, tc.in)
		if err != nil {
			got = "ERROR"
		}
		if got != tc.want {
			t.Errorf("%s %q: %s (%v), want %s", tc.format, tc.in, got, err, tc.want)
		}
	}
}

// TestDetect tells the formats from their header rows, and a preamble
// line from a header.
func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{[]string{"api_id", "name", "first_name", "last_name", "email", "approval_status"}, Luma},
		{[]string{"\ufeffapi_id", "first_name", "last_name"}, Luma},
		{[]string{"Name", "User ID", "Title", "RSVP"}, Meetup},
		{[]string{"Order #", "First Name", "Last Name", "Email"}, Eventbrite},
		{[]string{"First Name", "Last Name", "Email", "Attendee Status"}, Eventbrite},
		{[]string{"name", "email", "company", "title", "linkedin_url", "status"}, Plain},
		{[]string{"First Name", "Last Name", "Email Address"}, Plain},
		{[]string{"Guest list exported 2026-11-20"}, ""},
	} {
		if got, _ := detect(tc.header); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.header, got, tc.want)
		}
	}
}

// TestReadJSON: each item is checked on its own; an item of the wrong
// shape or with a bad field is reported by position, the others read.
func TestReadJSON(t *testing.T) {
	var got []string
	err := ReadJSON([]byte(`{"attendees": [
		{"name": "Ada Lovelace", "email": "ADA@example.com", "company": "Analytical", "linkedin_url": "linkedin.com/in/ada", "status": "checked_in"},
		{"name": "", "email": "nobody@example.com"},
		{"name": "Grace", "status": "soon"},
		{"name": "Bob", "age": 3},
		{"name": "Eve", "linkedin_url": "https://example.com/eve"}]}`), func(r Row) error {
		got = append(got, render(r))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 Ada Lovelace <ada@example.com> Analytical |  | https://www.linkedin.com/in/ada checked_in",
		"2 ERROR name: is required",
		`3 ERROR status: "soon" is not one of going, waitlist, declined, checked_in`,
		"4 ERROR",
		`5 ERROR linkedin_url: "https://example.com/eve" is not a LinkedIn profile`,
	}
	for i := range want {
		if i >= len(got) || !strings.HasPrefix(got[i], want[i]) {
			t.Fatalf("items\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
	}
	if err := ReadJSON([]byte(`{"attendees": {"name": "x"}}`), func(Row) error { return nil }); err == nil {
		t.Error("attendees that are not a list")
	}
}

// TestMaxRows: past MaxRows rows one line says so and nothing more is read.
func TestMaxRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := range MaxRows + 5 {
		fmt.Fprintf(&b, "P%d,p%d@example.com\n", i, i)
	}
	var rows, errs int
	if _, err := ReadCSV(context.Background(), strings.NewReader(b.String()), func(r Row) error {
		if r.Err != nil {
			errs++
		} else {
			rows++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if rows != MaxRows || errs != 1 {
		t.Fatalf("rows %d, errors %d", rows, errs)
	}
}
