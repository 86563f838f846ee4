package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/netguard"
)

func TestCheckURL(t *testing.T) {
	g := netguard.Guard{}
	for raw, ok := range map[string]bool{
		"https://hooks.example.com/x": true, "http://93.184.216.34/": true,
		"http://127.0.0.1:9/": false, "http://localhost/": false, "http://10.1.2.3/": false,
		"http://[::1]/": false, "http://169.254.169.254/latest/meta-data": false, "http://192.168.1.1/": false,
		"ftp://example.com/": false, "http:///nohost": false,
	} {
		if got := g.CheckURL(raw) == ""; got != ok {
			t.Errorf("CheckURL(%q) ok=%v, want %v", raw, got, ok)
		}
	}
	if why := (netguard.Guard{AllowPrivate: true}).CheckURL("http://127.0.0.1:9/"); why != "" {
		t.Errorf("allowed private URL refused: %s", why)
	}
}

func TestClientRefusesLoopbackAtDial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := netguard.Guard{}.Client(2*time.Second, 3).Get(srv.URL)
	if !errors.Is(err, netguard.ErrPrivate) {
		t.Fatalf("err=%v, want ErrPrivate", err)
	}
	resp, err := netguard.Guard{AllowPrivate: true}.Client(2*time.Second, 3).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func TestIsPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"64:ff9b::5db8:d822": true, // NAT64 of a public address
		"127.0.0.1":          false, "10.0.0.1": false, "172.31.255.255": false, "192.168.0.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "0.1.2.3": false,
		"198.18.0.1": false, "198.19.255.254": false, "255.255.255.255": false, "240.0.0.1": false,
		"224.0.0.1": false, "192.0.2.1": false, "203.0.113.9": false, "192.0.0.8": false,
		"::1": false, "::": false, "fe80::1": false, "fc00::1": false, "fd12:3456::1": false, "ff02::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, // IPv4-mapped
		"64:ff9b::7f00:1": false, "64:ff9b::a00:1": false, // NAT64 of loopback and private
		"64:ff9b:1::7f00:1": false,                             // local-use NAT64
		"2002:7f00:1::":     false, "2002:5db8:d822::1": false, // 6to4 embeds any IPv4 address
		"2001:0:4136:e378:8000:63bf:3fff:fdd2": false, // Teredo
		"::7f00:1":                             false, // IPv4-compatible
		"2001:db8::1":                          false, "3fff::1": false, "100::1": false, "fec0::1": false,
	} {
		ip := net.ParseIP(addr)
		if ip == nil {
			t.Fatalf("bad test address %q", addr)
		}
		if got := netguard.IsPublic(ip); got != want {
			t.Errorf("IsPublic(%s)=%v, want %v", addr, got, want)
		}
	}
}

func TestCheckURLRefusesEmbeddedPrivate(t *testing.T) {
	g := netguard.Guard{}
	for _, raw := range []string{
		"http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "http://198.18.0.1/", "http://255.255.255.255/",
		"http://[::ffff:127.0.0.1]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://0x7f000001/",
	} {
		if g.CheckURL(raw) == "" {
			t.Errorf("CheckURL(%q) accepted it", raw)
		}
	}
}

// stubResolver answers from a map and counts look-ups: no DNS traffic.
type stubResolver struct {
	addrs map[string]string
	calls int
}

func (r *stubResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	r.calls++
	a, ok := r.addrs[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return []net.IPAddr{{IP: net.ParseIP(a)}}, nil
}

// TestClientChecksResolvedAddress: a public-looking name that resolves to
// a private address is refused at the dial; allowed, it is reached.
func TestClientChecksResolvedAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hi")) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	res := &stubResolver{addrs: map[string]string{"hooks.example.com": "127.0.0.1", "nat64.example.com": "64:ff9b::7f00:1"}}
	for _, host := range []string{"hooks.example.com", "nat64.example.com"} {
		_, err := netguard.Guard{Resolver: res}.Client(2*time.Second, 0).Get("http://" + net.JoinHostPort(host, port) + "/")
		if !errors.Is(err, netguard.ErrPrivate) {
			t.Fatalf("%s: err=%v, want ErrPrivate", host, err)
		}
	}
	resp, err := netguard.Guard{Resolver: res, AllowPrivate: true}.Client(2*time.Second, 0).Get("http://" + net.JoinHostPort("hooks.example.com", port) + "/")
	if err != nil {
		t.Fatalf("allowed: %v", err)
	}
	resp.Body.Close()
	if res.calls != 3 {
		t.Fatalf("stub resolver called %d times, want 3", res.calls)
	}
}
