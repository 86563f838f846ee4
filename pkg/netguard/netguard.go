// Package netguard makes outbound HTTP requests to user-given URLs (webhooks,
// calendar feeds) safe for a server: loopback, private, link-local and other
// non-public addresses are refused unless allowed (CRM_ALLOW_PRIVATE_URLS),
// checked on the address actually dialled so DNS tricks cannot get around
// it, and time and redirects are bounded.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrPrivate is returned when a URL resolves to a non-public address.
var ErrPrivate = errors.New("the address is loopback or private; set CRM_ALLOW_PRIVATE_URLS=true to allow it")

// Guard decides which addresses outbound requests may reach.
type Guard struct {
	AllowPrivate bool
	// Resolver looks up host names for the client; nil is the system's.
	// Tests give a stub, so they never send a DNS query.
	Resolver Resolver
}

// Resolver looks up a host's addresses (*net.Resolver is one).
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// CheckURL validates a user-given URL before it is stored: http(s), a host,
// and, unless private addresses are allowed, not a literal private address
// or localhost. It returns a reason for the user, or "". (Names are checked
// again on every dial, when they resolve.)
func (g Guard) CheckURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "must be an http(s) URL"
	}
	if g.AllowPrivate {
		return ""
	}
	host := u.Hostname()
	if host == "localhost" || len(host) > 10 && host[len(host)-10:] == ".localhost" {
		return "must not point at this machine (set CRM_ALLOW_PRIVATE_URLS=true to allow it)"
	}
	if ip := net.ParseIP(host); ip == nil && numericHost(host) {
		// 0x7f000001, 2130706433 and 127.1 are addresses to some resolvers.
		return "must be a host name or an IP address in standard form"
	} else if ip != nil && !IsPublic(ip) {
		return "must not point at a loopback or private address (set CRM_ALLOW_PRIVATE_URLS=true to allow it)"
	}
	return ""
}

// Client returns an HTTP client that refuses non-public addresses (unless
// allowed), follows at most maxRedirects redirects and gives up after timeout.
func (g Guard) Client(timeout time.Duration, maxRedirects int) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: g.control}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide the real destination from the check
		DialContext:           g.dialContext(dialer),
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       30 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to a non-http URL")
			}
			return nil
		},
	}
}

// numericHost reports whether host has no letters but hex digits after
// "0x": a number, not a name.
func numericHost(host string) bool {
	for _, label := range strings.Split(strings.ToLower(host), ".") {
		if rest, ok := strings.CutPrefix(label, "0x"); ok {
			label = strings.TrimLeft(rest, "0123456789abcdef")
		} else {
			label = strings.TrimLeft(label, "0123456789")
		}
		if label != "" {
			return false
		}
	}
	return true
}

// dialContext resolves the host with g.Resolver and dials its addresses in
// turn; the dialer's Control checks each address actually dialled.
func (g Guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if net.ParseIP(host) != nil {
			return d.DialContext(ctx, network, addr)
		}
		var r Resolver = net.DefaultResolver
		if g.Resolver != nil {
			r = g.Resolver
		}
		ips, err := r.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		var errs []error
		for _, ip := range ips {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		if len(errs) == 0 {
			return nil, fmt.Errorf("no address for %s", host)
		}
		return nil, errors.Join(errs...)
	}
}

// control runs after name resolution, on the address about to be dialled.
func (g Guard) control(network, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || !IsPublic(ip) {
		return ErrPrivate
	}
	return nil
}

// Describe turns an outbound request error into a short message fit for a
// user (no internal addresses beyond what they typed).
func Describe(err error) string {
	var ue *url.Error
	switch {
	case errors.Is(err, ErrPrivate):
		return ErrPrivate.Error()
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ue) && ue.Timeout():
		return "timed out"
	case errors.As(err, &ue):
		return ue.Err.Error()
	default:
		return err.Error()
	}
}

// special lists the IANA special-purpose ranges (RFC 6890 and its updates)
// that are never a public server's address: private, shared (CGNAT),
// loopback, link-local, documentation, benchmarking (198.18.0.0/15),
// multicast, reserved and broadcast; in IPv6 also unique-local, site-local,
// discard, the IETF protocol block (Teredo 2001::/32 among it), 6to4
// (2002::/16, which embeds any IPv4 address) and local-use NAT64.
var special = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24", "192.168.0.0/16",
		"192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
		"::/96", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
		"2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// nat64 is the well-known NAT64 prefix (RFC 6052): its last 32 bits are
// the IPv4 address actually reached.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// IsPublic reports whether ip is a public unicast address: in no special
// range, and for addresses that embed an IPv4 one (IPv4-mapped, NAT64),
// embedding a public one.
func IsPublic(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		b := a.As16()
		a = netip.AddrFrom4([4]byte(b[12:16]))
	}
	if !a.IsValid() || a.Zone() != "" {
		return false
	}
	for _, p := range special {
		if p.Contains(a) {
			return false
		}
	}
	return a.IsGlobalUnicast()
}

// Offline is a Resolver that resolves no name and sends nothing: tests use
// it so they never make a DNS query.
type Offline struct{}

// LookupIPAddr refuses every host name.
func (Offline) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	return nil, &net.DNSError{Err: "name look-ups are off (netguard.Offline)", Name: host, IsNotFound: true}
}

// Fetch GETs raw with client (one of Guard's: private addresses refused
// unless allowed) and returns the body: an error for a status other than
// 200 or a body over max bytes.
func Fetch(ctx context.Context, client *http.Client, raw string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered %d", raw, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", raw, max)
	}
	return body, nil
}
