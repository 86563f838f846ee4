package contacts

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Merged is into as it is after other is merged into it (POST
// /v1/contacts/{id}/merge): other's emails, phones and tags added (each
// once), other's notes after into's, and other's company, title, LinkedIn
// URL and cadence where into has none, and the rest of other's card in an
// address book (CardExtra: a birthday, a photo) where into's card has
// none (crm.MergeContacts combines the two when both have one, which
// takes a vCard reader); the later last contact; the earlier creation and
// the earlier known_since. Invalid,
// naming the field, when the union is over a limit. Merging the same
// contact again changes nothing more (notes already holding other's are
// left as they are), so a merge cut short can be run again.
func (s *Service) Merged(ctx context.Context, into, other *Contact) (*Contact, error) {
	in := inputOf(into)
	if n := strings.TrimSpace(other.Notes); n != "" && in.Notes != "" && !strings.Contains(in.Notes, n) {
		in.Notes += "\n\n" + n
	}
	in.absorb(inputOf(other))
	c := *into
	if err := in.apply(&c, ""); err != nil {
		return nil, err
	}
	if c.CompanyID == "" && c.Company == other.Company {
		c.CompanyID = other.CompanyID
	}
	if c.CardExtra == "" {
		c.CardExtra = other.CardExtra
	}
	if err := s.relink(ctx, into, &c); err != nil {
		return nil, err
	}
	if other.CreatedAt.Before(c.CreatedAt) {
		c.CreatedAt = other.CreatedAt // an undo of an import tells a merged older contact by it
	}
	if other.LastContactedAt != nil && (c.LastContactedAt == nil || other.LastContactedAt.After(*c.LastContactedAt)) {
		c.LastContactedAt = other.LastContactedAt
	}
	c.UpdatedAt = record.Time(s.Now())
	return &c, nil
}
