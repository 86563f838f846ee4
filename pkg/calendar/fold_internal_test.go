package calendar

import (
	"bytes"
	"strings"
	"testing"
)

// TestFoldNotUTF8: a line of bytes that are not UTF-8 (continuation bytes
// with no rune's start) is folded at 75 octets and the fold ends; it
// folded nothing, forever, before. Encode cleans every text it writes, so
// this guards the fold itself.
func TestFoldNotUTF8(t *testing.T) {
	for _, v := range []string{strings.Repeat("\xa5", 300), "x" + strings.Repeat("\x80", 200), strings.Repeat("é\xa5\xa5\xa5\xa5", 40)} {
		out := fold([]byte("X-TEST:" + v + "\r\n"))
		lines := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
		var unfolded bytes.Buffer
		for i, l := range lines {
			if len(l) > 75 {
				t.Errorf("line of %d octets: %q", len(l), l)
			}
			if i > 0 {
				l = strings.TrimPrefix(l, " ")
			}
			unfolded.WriteString(l)
		}
		if unfolded.String() != "X-TEST:"+v {
			t.Errorf("unfolded: %q", unfolded.String())
		}
	}
}
