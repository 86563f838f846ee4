package api

import (
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// clientAddress makes the request's remote address the client's when it
// came through a trusted proxy, so that every limit counted by address
// (c.IP(), and the DAV tree's RemoteAddr through the adaptor) counts the
// client, not the proxy. X-Forwarded-For is read from its right, where
// each trusted proxy appended the address it was called from; the first
// address not itself a trusted proxy is the client. What a client wrote
// into the header on its own sits to the left of that and is never
// believed.
func (s *Server) clientAddress(c *fiber.Ctx) error {
	if len(s.TrustedProxies) == 0 {
		return c.Next()
	}
	// The connection's own address: fasthttp keeps the context, and the
	// address this set, for the next request on a kept-alive connection.
	c.Context().SetRemoteAddr(nil)
	peer, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok || !s.trusted(peer) {
		return c.Next()
	}
	client := peer
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0 && s.trusted(client); i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(hop)
		if err != nil {
			ap, perr := netip.ParseAddrPort(hop) // some proxies add the port
			if perr != nil {
				break
			}
			a = ap.Addr()
		}
		client = a
	}
	if client != peer {
		c.Context().SetRemoteAddr(&net.TCPAddr{IP: client.Unmap().AsSlice()})
	}
	return c.Next()
}

// trusted reports whether a is one of the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool { return ratelimit.Blocks(s.TrustedProxies).Contain(a) }
