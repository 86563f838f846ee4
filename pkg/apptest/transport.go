package apptest

import "net/http"

// KeepIdleConnections makes http.DefaultTransport, which a test binary's
// clients share (http.DefaultClient, the browsers' clients, the DAV and
// MCP clients), a RoundTripper without CloseIdleConnections, so that no
// test's httptest.Server.Close can break another test's request. Close
// closes the idle connections of http.DefaultTransport when it has that
// method, and net/http puts a connection back among the idle ones just
// before it hands a bodiless answer (a 303 after a form) to the request
// waiting for it: a parallel test's Close in that gap failed the request
// with "http: CloseIdleConnections called", as a POST is not retried
// (golang/go's httptest; coder/coder#26409 met the same). Call it from
// TestMain, before the tests run.
func KeepIdleConnections() {
	if _, ok := http.DefaultTransport.(keptIdle); !ok {
		http.DefaultTransport = keptIdle{http.DefaultTransport}
	}
}

// keptIdle is a RoundTripper with no CloseIdleConnections method.
type keptIdle struct{ rt http.RoundTripper }

// RoundTrip sends r on the transport kept.
func (k keptIdle) RoundTrip(r *http.Request) (*http.Response, error) { return k.rt.RoundTrip(r) }
