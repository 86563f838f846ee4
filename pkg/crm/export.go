package crm

import (
	"context"
	"io"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// WriteContactsCSV writes the user's contacts as CSV, in name order, as
// GET /v1/contacts/export.csv and the desk's download give them.
func (s *Service) WriteContactsCSV(ctx context.Context, userID string, w io.Writer) error {
	return codec.WriteCSV(w, func(fn func(*contacts.Contact) error) error { return s.Contacts.ForEach(ctx, userID, fn) })
}

// WriteContactsVCard writes the user's contacts as one vCard file, each
// card with what else its address book held (GET
// /v1/contacts/export.vcf, the desk's download).
func (s *Service) WriteContactsVCard(ctx context.Context, userID string, w io.Writer) error {
	return s.Contacts.ForEach(ctx, userID, func(c *contacts.Contact) error { return codec.WriteVCard(w, c) })
}
