package api

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// TestUploadReadErrors: an upload whose read fails is never a server error
// (sixteen 10 MiB imports at once hit the read deadline and answered 500):
// past the deadline it is Unavailable, to be sent again; a connection
// broken otherwise is Malformed; the end and the upload limit are as they
// were.
func TestUploadReadErrors(t *testing.T) {
	deadline := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for _, c := range []struct {
		name string
		r    io.Reader
		want apperr.Kind
	}{
		{"DeadlinePassed", io.MultiReader(strings.NewReader("name\n"), iotest.ErrReader(deadline)), apperr.Unavailable},
		{"ConnectionBroken", io.MultiReader(strings.NewReader("name\n"), iotest.ErrReader(reset)), apperr.Malformed},
		{"PastTheLimit", strings.NewReader(strings.Repeat("x", 20)), apperr.TooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := io.ReadAll(&limitedReader{r: c.r, left: 10, limit: 10})
			if err == nil || apperr.KindOf(err) != c.want {
				t.Fatalf("%v (%v), want %v", err, apperr.KindOf(err), c.want)
			}
		})
	}
	if b, err := io.ReadAll(&limitedReader{r: strings.NewReader("name\n"), left: 10, limit: 10}); err != nil || string(b) != "name\n" {
		t.Fatalf("a whole upload: %q, %v", b, err)
	}
}
