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
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
)

// ErrPrivate is returned when a URL resolves to a non-public address.
var ErrPrivate = errors.New("the address is loopback or private; set CRM_ALLOW_PRIVATE_URLS=true to allow it")

// Guard decides which addresses outbound requests may reach.
type Guard struct {
	AllowPrivate bool
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
	if ip := net.ParseIP(host); ip != nil && input.IsPrivateIP(ip) {
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
		DialContext:           dialer.DialContext,
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
	if ip == nil || input.IsPrivateIP(ip) {
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
