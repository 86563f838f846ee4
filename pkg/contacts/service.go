package contacts

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Service is the rules of contacts, encounters, interactions and intros
// over a Store.
type Service struct {
	Store Store
	Now   func() time.Time
	// Mutated, if set, is told after every write to the user's contacts
	// (the contact-list cache of the API is keyed by it).
	Mutated func(ctx context.Context, userID string)
	// Changed, if set, is told after every write that changes what the
	// user's calendar feeds show (crm uses it to invalidate cached feeds).
	Changed func(ctx context.Context, userID string)
	// Company, if set, returns the id of the company a contact with this
	// company text and these emails works at ("" for none), making it when
	// needed (companies.Service.Resolve); contacts are linked by it on
	// every write.
	Company func(ctx context.Context, userID, company string, emails []string) (string, error)
	// Together, if set, runs fn as one unit of work on a Service bound to
	// it (crm sets it): the companies an import chunk makes commit
	// together.
	Together func(ctx context.Context, fn func(context.Context, *Service) error) error
}

// together runs fn as one unit of work (Together), or on s itself when
// nothing binds one.
func (s *Service) together(ctx context.Context, fn func(context.Context, *Service) error) error {
	if s.Together != nil {
		return s.Together(ctx, fn)
	}
	return fn(ctx, s)
}

// Link sets c's company_id from its company text and emails (Company).
// memo, if not nil, remembers the answers across many contacts (an
// import's, or the contacts crm links to companies after a restore).
func (s *Service) Link(ctx context.Context, c *Contact, memo map[string]string) error {
	if s.Company == nil {
		return nil
	}
	key := ""
	if memo != nil {
		// The answer depends on the company text and the work domains only.
		key = strings.ToLower(strings.TrimSpace(c.Company))
		for _, e := range c.Emails {
			key += "\x00" + companyDomain(e)
		}
		if id, ok := memo[key]; ok {
			c.CompanyID = id
			return nil
		}
	}
	id, err := s.Company(ctx, c.UserID, c.Company, c.Emails)
	if err != nil {
		return err
	}
	c.CompanyID = id
	if memo != nil {
		memo[key] = id
	}
	return nil
}

// companyDomain is the part of an email address that can name a company
// (the domain, lower-cased; free-mail domains are told apart by Company).
func companyDomain(email string) string {
	if i := strings.LastIndexByte(email, '@'); i >= 0 {
		return strings.ToLower(email[i+1:])
	}
	return ""
}

// relink links c again when its company text or emails changed from old's.
func (s *Service) relink(ctx context.Context, old, c *Contact) error {
	if old.CompanyID != "" && old.Company == c.Company && strings.Join(old.Emails, ",") == strings.Join(c.Emails, ",") {
		return nil
	}
	return s.Link(ctx, c, nil)
}

// New returns a Service on st.
func New(st Store) *Service {
	return &Service{Store: st, Now: time.Now}
}

// CreateOpts tune Create.
type CreateOpts struct {
	// Prefix is put before field names in validation errors ("contact.").
	Prefix string
	// LastContactedAt, if set, is stored with the new contact (an encounter
	// creating it is a contact).
	LastContactedAt *time.Time
	// DAVName and CardUID are the resource name and UID of the card a
	// CardDAV client made (see Contact); the id is always generated.
	DAVName, CardUID string
	// CardExtra is what else that card held (see Contact).
	CardExtra string
}

// Create validates in and stores a new contact. An email or LinkedIn URL one
// of the user's contacts already has is a Conflict carrying its ExistingID.
func (s *Service) Create(ctx context.Context, userID string, in Input, o CreateOpts) (*Contact, error) {
	now := record.Time(s.Now())
	c := &Contact{ID: record.NewID(), UserID: userID, KnownSince: now, CreatedAt: now, UpdatedAt: now, DAVName: o.DAVName, CardUID: o.CardUID, CardExtra: o.CardExtra}
	if err := in.apply(c, o.Prefix); err != nil {
		return nil, err
	}
	if err := CheckCardExtra(c.CardExtra); err != nil {
		return nil, err
	}
	if err := checkKnownSince(c, now, o.Prefix); err != nil {
		return nil, err
	}
	if o.LastContactedAt != nil {
		t := record.Time(*o.LastContactedAt)
		c.LastContactedAt = &t
		if t.Before(c.KnownSince) {
			c.KnownSince = t // met, and logged later
		}
	}
	if err := s.Link(ctx, c, nil); err != nil {
		return nil, err
	}
	if err := s.Store.CreateContact(ctx, c); err != nil {
		return nil, err
	}
	s.mutated(ctx, userID)
	return c, nil
}

// Update applies a merge patch to the user's contact. A new email or
// LinkedIn URL that another contact has is a Conflict with ExistingID.
func (s *Service) Update(ctx context.Context, userID, id string, patch []byte) (*Contact, error) {
	return s.UpdateCard(ctx, userID, id, patch, nil)
}

// UpdateCard is Update for a card an address book sent: the patch of its
// fields, and extra, when not nil, what else the card held (CardExtra).
func (s *Service) UpdateCard(ctx context.Context, userID, id string, patch []byte, extra *string) (*Contact, error) {
	old, err := s.Store.Contact(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	var in Input
	if err := input.MergePatch(inputOf(old), patch, &in); err != nil {
		return nil, err
	}
	c := *old
	if err := in.apply(&c, ""); err != nil {
		return nil, err
	}
	if err := checkKnownSince(&c, s.Now(), ""); err != nil {
		return nil, err
	}
	if extra != nil {
		if err := CheckCardExtra(*extra); err != nil {
			return nil, err
		}
		c.CardExtra = *extra
	}
	if err := s.relink(ctx, old, &c); err != nil {
		return nil, err
	}
	c.UpdatedAt = record.Time(s.Now())
	if err := s.Store.UpdateContact(ctx, &c); err != nil {
		return nil, err
	}
	s.mutated(ctx, userID)
	if c.Name != old.Name {
		s.changed(ctx, userID) // follow-up entries show the name
	}
	return &c, nil
}

// FillBlanks copies into the stored contact the company, title and phones
// from in where the contact has none, so meeting someone again can add what
// was learnt without overwriting what the user wrote.
func (s *Service) FillBlanks(ctx context.Context, c *Contact, in Input) (*Contact, error) {
	patch := inputOf(c)
	if patch.Company == "" {
		patch.Company = in.Company
	}
	if patch.Title == "" {
		patch.Title = in.Title
	}
	if len(patch.Phones) == 0 {
		patch.Phones = in.Phones
	}
	next := *c
	if err := patch.apply(&next, "contact."); err != nil {
		return nil, err
	}
	if next.Company == c.Company && next.Title == c.Title && len(next.Phones) == len(c.Phones) {
		return c, nil
	}
	if err := s.relink(ctx, c, &next); err != nil {
		return nil, err
	}
	next.UpdatedAt = record.Time(s.Now())
	if err := s.Store.UpdateContact(ctx, &next); err != nil {
		return nil, err
	}
	s.mutated(ctx, c.UserID)
	return &next, nil
}

// Delete removes the user's contact and its dedupe keys; NotFound if there
// is none. Callers remove what points at it first (crm.Service.DeleteContact).
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	if err := s.Store.DeleteContact(ctx, userID, id); err != nil {
		return err
	}
	s.changed(ctx, userID)
	s.mutated(ctx, userID)
	return nil
}

// DeleteMany removes those of ids that are the user's contacts, with
// their dedupe keys, in one go, and says how many. Callers remove what
// points at them first (crm.Service.UndoImport).
func (s *Service) DeleteMany(ctx context.Context, userID string, ids []string) (int, error) {
	n, err := s.Store.DeleteContacts(ctx, userID, ids)
	if err != nil || n == 0 {
		return n, err
	}
	s.changed(ctx, userID)
	s.mutated(ctx, userID)
	return n, nil
}

// Touch records an interaction at t: last_contacted_at becomes the later of
// its value and t, known_since the earlier. It returns the updated contact.
func (s *Service) Touch(ctx context.Context, userID, id string, t time.Time) (*Contact, error) {
	c, err := s.Store.TouchContact(ctx, userID, id, record.Time(t))
	if err != nil {
		return nil, err
	}
	s.mutated(ctx, userID)
	return c, nil
}

// Filter selects contacts for List; it is the store's query (one type, not two).
type Filter = ContactQuery

// changed reports a change of feed content to the Changed hook.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.Changed != nil {
		s.Changed(ctx, userID)
	}
}

// mutated reports a write to the user's contacts to the Mutated hook.
func (s *Service) mutated(ctx context.Context, userID string) {
	if s.Mutated != nil {
		s.Mutated(ctx, userID)
	}
}

// ByEmail returns the user's contact with that email address (any case);
// NotFound if none has it.
func (s *Service) ByEmail(ctx context.Context, userID, email string) (*Contact, error) {
	return s.Store.ContactByKey(ctx, userID, "email:"+strings.ToLower(strings.TrimSpace(email)))
}

// ForEach calls fn for each of the user's contacts in name order, reading
// them a page at a time (not all at once).
func (s *Service) ForEach(ctx context.Context, userID string, fn func(*Contact) error) error {
	var cur *record.Cursor
	for {
		page, err := s.Store.Contacts(ctx, userID, ContactQuery{Limit: record.MaxLimit, Cursor: cur})
		if err != nil {
			return err
		}
		for i := range page.Items {
			if err := fn(&page.Items[i]); err != nil {
				return err
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		if cur, err = record.DecodeCursor(page.NextCursor); err != nil {
			return err
		}
	}
}
