package ratelimit_test

import (
	"bufio"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// dial opens a connection to addr, closed when the test ends.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByServer reports whether the server closed c, reading what it
// wrote first.
func closedByServer(t *testing.T, c net.Conn) (bool, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	line, err := bufio.NewReader(c).ReadString('\n')
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false, line
	}
	return true, line
}

// TestListenerPerClient: one client keeps at most PerClient connections
// open (the next is told why and closed); one closing makes room; an
// exempt address (a trusted proxy) is not counted.
func TestListenerPerClient(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &ratelimit.Listener{Listener: inner, PerClient: 3, Refuse: []byte("421 too many connections\r\n")}
	defer l.Close()
	accepted := acceptAll(l)
	var mine []net.Conn
	for range 3 {
		dial(t, inner.Addr().String())
		mine = append(mine, <-accepted)
	}
	extra := dial(t, inner.Addr().String())
	if closed, said := closedByServer(t, extra); !closed || said != "421 too many connections\r\n" {
		t.Fatalf("a fourth connection: closed %v, told %q", closed, said)
	}
	mine[0].Close()
	mine[0].Close() // twice gives back once
	dial(t, inner.Addr().String())
	select {
	case <-accepted:
	case <-time.After(5 * time.Second):
		t.Fatal("no room after one closed")
	}
	if closed, _ := closedByServer(t, dial(t, inner.Addr().String())); !closed {
		t.Fatal("past the bound again, not refused")
	}

	// The same client behind an exempt block (a trusted proxy's).
	inner2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxied := &ratelimit.Listener{Listener: inner2, PerClient: 3, Exempt: ratelimit.Blocks{netip.MustParsePrefix("127.0.0.0/8")}}
	defer proxied.Close()
	fromProxy := acceptAll(proxied)
	for range 5 {
		dial(t, inner2.Addr().String())
		select {
		case <-fromProxy:
		case <-time.After(5 * time.Second):
			t.Fatal("an exempt client's connection was not accepted")
		}
	}
}

// acceptAll accepts l's connections until it closes, handing each on.
func acceptAll(l net.Listener) <-chan net.Conn {
	accepted := make(chan net.Conn, 100)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	return accepted
}

// TestListenerTotal: past Total open connections Accept waits for one to
// close; Close ends a waiting Accept.
func TestListenerTotal(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &ratelimit.Listener{Listener: inner, Total: 2}
	var open []net.Conn
	for range 2 {
		dial(t, inner.Addr().String())
		c, err := l.Accept()
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
	}
	dial(t, inner.Addr().String())
	next := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			defer c.Close()
		}
		next <- err
		time.Sleep(time.Second) // held open
	}()
	select {
	case err := <-next:
		t.Fatalf("a third accepted with two open: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	open[0].Close()
	if err := <-next; err != nil {
		t.Fatal(err)
	}
	waiting := make(chan error, 1)
	go func() { _, err := l.Accept(); waiting <- err }() // both slots taken: it waits
	time.Sleep(50 * time.Millisecond)
	l.Close()
	select {
	case err := <-waiting:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("the waiting Accept: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close left Accept waiting")
	}
}

// failing is a listener whose Accept fails with errs in turn, then
// accepts from the real one.
type failing struct {
	net.Listener
	errs []error
}

func (f *failing) Accept() (net.Conn, error) {
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return f.Listener.Accept()
}

// TestListenerWaitsOutFullTable: an accept that fails for want of file
// descriptors (fasthttp stops serving for good on it) is waited out and
// the next connection accepted; another error is returned.
func TestListenerWaitsOutFullTable(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: &osSyscallError{syscall.EMFILE}}
	l := &ratelimit.Listener{Listener: &failing{Listener: inner, errs: []error{emfile, emfile, syscall.ENFILE}}}
	dial(t, inner.Addr().String())
	c, err := l.Accept()
	if err != nil {
		t.Fatalf("after EMFILE twice and ENFILE: %v", err)
	}
	c.Close()
	other := errors.New("something else")
	l = &ratelimit.Listener{Listener: &failing{Listener: inner, errs: []error{other}}}
	if _, err := l.Accept(); !errors.Is(err, other) {
		t.Fatalf("another error: %v", err)
	}
}

// osSyscallError wraps an errno as os.SyscallError does.
type osSyscallError struct{ err syscall.Errno }

func (e *osSyscallError) Error() string { return "accept4: " + e.err.Error() }
func (e *osSyscallError) Unwrap() error { return e.err }
