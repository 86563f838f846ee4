package caldav

import (
	"encoding/xml"
	"strings"
	"testing"
)

// TestCalendarDataLineFeedsAsTheyAre: calendar-data is written with its
// line feeds as they are (a CR as "&#xD;"), and read back byte for byte.
func TestCalendarDataLineFeedsAsTheyAre(t *testing.T) {
	data := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-A:<&>\nEND:VCALENDAR\r\n"
	out, err := xml.Marshal(&calendarDataResp{Data: []byte(data)})
	if err != nil {
		t.Fatal(err)
	}
	if want := `<calendar-data xmlns="urn:ietf:params:xml:ns:caldav">BEGIN:VCALENDAR&#xD;` + "\n" + `VERSION:2.0&#xD;` + "\n" + `X-A:&lt;&amp;&gt;` + "\n" + `END:VCALENDAR&#xD;` + "\n" + `</calendar-data>`; string(out) != want {
		t.Fatalf("written:\n%q\nwant:\n%q", out, want)
	}
	var back calendarDataResp
	if err := xml.Unmarshal(out, &back); err != nil || string(back.Data) != data {
		t.Fatalf("read back %q, %v; want %q", back.Data, err, data)
	}
	if strings.Contains(string(out), "&#xA;") {
		t.Fatal("a line feed written as &#xA;")
	}
}
