package ratelimit

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// Listener bounds the connections a listener keeps open, so that no one
// client, nor a crowd, can take the process's file descriptors — which
// every listener, the store and every outgoing call share. At most
// PerClient come from one client (an IPv4 address, an IPv6 /64; a
// connection past it is told Refuse, if set, and closed), unless the
// address is among Exempt, which carry many clients (trusted proxies); at
// most Total in all, past which Accept waits for one to close.
//
// It also rides out the errors a full descriptor table gives (EMFILE,
// ENFILE) and their like, waiting and accepting again, where a server
// would stop accepting for good: fasthttp treats them as permanent.
type Listener struct {
	net.Listener
	PerClient int
	Total     int
	Exempt    Blocks
	Refuse    []byte
	// Logger, when set, hears of accept errors waited out.
	Logger *slog.Logger

	once   sync.Once
	slots  chan struct{}
	closed chan struct{}
	shut   sync.Once
	mu     sync.Mutex
	open   map[string]int
}

func (l *Listener) init() {
	if l.Total > 0 {
		l.slots = make(chan struct{}, l.Total)
	}
	l.closed = make(chan struct{})
	l.open = map[string]int{}
}

// maxAcceptWait is the longest wait between accepts that failed for want
// of resources.
const maxAcceptWait = time.Second

// Accept returns the next connection within the bounds.
func (l *Listener) Accept() (net.Conn, error) {
	l.once.Do(l.init)
	var wait time.Duration
	for {
		if l.slots != nil {
			select {
			case l.slots <- struct{}{}:
			case <-l.closed:
				return nil, net.ErrClosed
			}
		}
		c, err := l.Listener.Accept()
		if err != nil {
			l.release()
			if !outOfResources(err) {
				return nil, err
			}
			wait = min(max(2*wait, 5*time.Millisecond), maxAcceptWait)
			if l.Logger != nil {
				l.Logger.Warn("accept failed; waiting", "err", err, "wait_ms", wait.Milliseconds())
			}
			select {
			case <-time.After(wait):
				continue
			case <-l.closed:
				return nil, net.ErrClosed
			}
		}
		wait = 0
		key := l.keyOf(c)
		if key != "" {
			l.mu.Lock()
			full := l.open[key] >= l.PerClient
			if !full {
				l.open[key]++
			}
			l.mu.Unlock()
			if full {
				if len(l.Refuse) > 0 {
					c.SetWriteDeadline(time.Now().Add(time.Second))
					c.Write(l.Refuse)
				}
				c.Close()
				l.release()
				continue
			}
		}
		return &limitedConn{Conn: c, l: l, key: key}, nil
	}
}

// Close stops the listener; an Accept waiting for a slot returns.
func (l *Listener) Close() error {
	l.once.Do(l.init)
	l.shut.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// keyOf is the client c counts under, or "" when it is not counted.
func (l *Listener) keyOf(c net.Conn) string {
	if l.PerClient <= 0 {
		return ""
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return ""
	}
	a := ap.Addr().Unmap()
	if l.Exempt.Contain(a) {
		return ""
	}
	return Client(a.String())
}

func (l *Listener) release() {
	if l.slots != nil {
		<-l.slots
	}
}

// limitedConn gives its slot and its client's count back when closed.
type limitedConn struct {
	net.Conn
	l    *Listener
	key  string
	once sync.Once
}

func (c *limitedConn) Close() error {
	c.once.Do(func() {
		if c.key != "" {
			c.l.mu.Lock()
			if c.l.open[c.key]--; c.l.open[c.key] <= 0 {
				delete(c.l.open, c.key)
			}
			c.l.mu.Unlock()
		}
		c.l.release()
	})
	return c.Conn.Close()
}

// outOfResources reports whether an accept failed for want of descriptors,
// buffers or memory, or for a connection reset before it was taken: worth
// waiting out, as net/http does.
func outOfResources(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
