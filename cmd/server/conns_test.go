package main

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// greeting reads the first line the server writes on c, "" if it closed
// first or wrote nothing in a second.
func greeting(c net.Conn) string {
	c.SetReadDeadline(time.Now().Add(time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return line
}

// TestConnectionsPerClient: one address keeps at most ten SMTP and 256 HTTP
// connections open, so no one client can take the descriptors the other
// listener and the store need (at the limit fasthttp stopped accepting for
// good); the eleventh SMTP connection is told why; a connection closed
// makes room.
func TestConnectionsPerClient(t *testing.T) {
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_INBOUND_ADDR": "127.0.0.1:0",
		"CRM_BASE_URL": "https://rapport.example"}))
	t.Cleanup(func() { m.Close() }) // after the connections below close: cleanups run last first
	open := func(addr string) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	for i := range smtpPerClient {
		if g := greeting(open(m.InboundAddr)); !strings.HasPrefix(g, "220 ") {
			t.Fatalf("SMTP connection %d: %q", i+1, g)
		}
	}
	if g := greeting(open(m.InboundAddr)); !strings.HasPrefix(g, "421 ") {
		t.Fatalf("SMTP connection %d: %q, want 421", smtpPerClient+1, g)
	}

	var idle []net.Conn
	for range httpPerClient {
		idle = append(idle, open(m.Addr))
	}
	get := func() (int, error) {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 3 * time.Second}
		resp, err := c.Get("http://" + m.Addr + "/healthz")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if st, err := get(); err == nil {
		t.Fatalf("HTTP connection %d answered %d, want it closed", httpPerClient+1, st)
	}
	idle[0].Close()
	var st int
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st, err = get(); err == nil {
			break
		}
	}
	if st != 200 {
		t.Fatalf("after one closed: %d, %v", st, err)
	}
}

// TestListenerStoppingIsDown: a listener that stops serving on its own (its
// socket closed under it) is reported on Down, for main to exit and be
// started again; Close's own stopping is not.
func TestListenerStoppingIsDown(t *testing.T) {
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t)}))
	defer m.Close()
	m.ln.Close()
	select {
	case err := <-m.Down():
		if err == nil || !strings.Contains(err.Error(), "HTTP listener") {
			t.Fatalf("Down: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the HTTP listener stopped and Down said nothing")
	}

	quiet := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t)}))
	quiet.Close()
	select {
	case err := <-quiet.Down():
		t.Fatalf("Close reported as down: %v", err)
	default:
	}
}
