package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// inboundLocal starts the local part of a user's inbound address:
// log+<secret>@<domain>.
const inboundLocal = "log+"

// newInboundSecret is 130 random bits in lower-case base32: safe in an
// email's local part, and unchanged by systems that lower-case it.
func newInboundSecret() (secret, hash string) {
	b := make([]byte, 20)
	rand.Read(b)
	secret = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:26]
	return secret, HashSecret(inboundLocal + secret)
}

// InboundEmail returns the user's address for logging email by BCC
// (log+<secret>@domain). Like a feed token it is stored only as a hash, so
// it is shown when it is made — on the first call, and by RotateInbound —
// and masked ("log+…@domain", shown=false) afterwards.
func (s *Service) InboundEmail(ctx context.Context, userID, domain string) (addr string, shown bool, err error) {
	secret, hash := newInboundSecret()
	created, err := s.Store.SetInbound(ctx, userID, hash, record.Time(s.Now()), false)
	if err != nil {
		return "", false, err
	}
	if !created {
		return inboundLocal + "…@" + domain, false, nil
	}
	return inboundLocal + secret + "@" + domain, true, nil
}

// RotateInbound replaces the user's inbound address; the old one stops
// working at once.
func (s *Service) RotateInbound(ctx context.Context, userID, domain string) (string, error) {
	secret, hash := newInboundSecret()
	if _, err := s.Store.SetInbound(ctx, userID, hash, record.Time(s.Now()), true); err != nil {
		return "", err
	}
	return inboundLocal + secret + "@" + domain, nil
}

// InboundUser returns the user whose inbound address has local part
// local ("log+<secret>"); NotFound for any other.
func (s *Service) InboundUser(ctx context.Context, local string) (*User, error) {
	local = strings.ToLower(local)
	if !strings.HasPrefix(local, inboundLocal) || len(local) != len(inboundLocal)+26 {
		return nil, apperr.E(apperr.NotFound, "no such address")
	}
	id, err := s.Store.InboundUser(ctx, HashSecret(local))
	if err != nil {
		return nil, err
	}
	return s.Store.User(ctx, id)
}
