package backup

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestOneSpace: runs of whitespace between tokens become one space;
// strings, escaped quotes and backslashes in them included, pass as they
// are, whatever the reads' sizes.
func TestOneSpace(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"Runs", "{ \n\t \"a\" :  [1 ,\r\n 2 ] }", `{ "a" : [1 , 2 ] }`},
		{"StringsKept", `{"a  b":"  x\t\n  "}`, `{"a  b":"  x\t\n  "}`},
		{"EscapedQuote", `["say \"  hi\"   "  ,  1]`, `["say \"  hi\"   " , 1]`},
		{"EscapedBackslash", `["a\\"   ,   "  b"]`, `["a\\" , "  b"]`},
		{"OnlySpaces", strings.Repeat(" ", 100000), " "},
		{"Empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				got, err := io.ReadAll(&oneSpace{r: r})
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != tc.want {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}
