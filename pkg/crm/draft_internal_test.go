package crm

import "testing"

// TestTextTo: a phone number as an sms: link keeps its digits and a
// leading +, nothing else; one with no digits gives no link.
func TestTextTo(t *testing.T) {
	for in, want := range map[string]string{
		"+49 (30) 123-4567": "sms:+49301234567",
		" +1 555 0100":      "sms:+15550100",
		"030 / 123 45":      "sms:03012345",
		"0049-30+1":         "sms:0049301",
		"ext. only":         "",
		"+":                 "",
	} {
		if got := textTo(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
