package companies

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Service is the rules of companies over a Store.
type Service struct {
	Store Store
	Now   func() time.Time
}

// New returns a Service on st.
func New(st Store) *Service { return &Service{Store: st, Now: time.Now} }

// Create validates in and stores a new company. A name or domain one of
// the user's companies has already is a Conflict with ExistingID.
func (s *Service) Create(ctx context.Context, userID string, in Input) (*Company, error) {
	now := record.Time(s.Now())
	c := &Company{ID: record.NewID(), UserID: userID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(c); err != nil {
		return nil, err
	}
	if err := s.Store.CreateCompany(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Update applies a merge patch to the user's company.
func (s *Service) Update(ctx context.Context, userID, id string, patch []byte) (*Company, error) {
	old, err := s.Store.Company(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	var in Input
	if err := input.MergePatch(inputOf(old), patch, &in); err != nil {
		return nil, err
	}
	c := *old
	if err := in.apply(&c); err != nil {
		return nil, err
	}
	c.UpdatedAt = record.Time(s.Now())
	if err := s.Store.UpdateCompany(ctx, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Find returns the ids of the user's companies that each company text
// names (in any spelling NameKey folds), by text; none is made. Texts no
// company matches are left out.
func (s *Service) Find(ctx context.Context, userID string, texts []string) (map[string]string, error) {
	keyOf := map[string]string{}
	var keys []string
	for _, t := range texts {
		if k := NameKey(t); k != "" {
			keyOf[t] = "name:" + k
			keys = append(keys, "name:"+k)
		}
	}
	byKey, err := s.Store.CompanyIDsByKeys(ctx, userID, keys)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for t, k := range keyOf {
		if id, ok := byKey[k]; ok {
			out[t] = id
		}
	}
	return out, nil
}

// Resolve returns the id of the company a contact with this company text
// and these emails works at: the user's company with the contact's work
// email domain, its company name (in any spelling NameKey folds) or its
// domain's name; with none, a new company made from the company text (and
// the work domain), or "" when the text is empty.
func (s *Service) Resolve(ctx context.Context, userID, company string, emails []string) (string, error) {
	for _, key := range candidates(company, emails) {
		c, err := s.Store.CompanyByKey(ctx, userID, key)
		if err == nil {
			return c.ID, nil
		}
		if !apperr.Is(err, apperr.NotFound) {
			return "", err
		}
	}
	name := strings.TrimSpace(company)
	if NameKey(name) == "" {
		return "", nil
	}
	in := Input{Name: name}
	for _, e := range emails {
		if d := WorkDomain(e); d != "" && domainLabel(d) == NameKey(name) {
			in.Domain = d // only a domain that matches the name: a contractor's email is not the client's
			break
		}
	}
	if len([]rune(in.Name)) > input.MaxShort {
		in.Name = string([]rune(in.Name)[:input.MaxShort])
	}
	c, err := s.Create(ctx, userID, in)
	if err == nil {
		return c.ID, nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.Conflict && ae.ExistingID != "" {
		return ae.ExistingID, nil // made meanwhile by another request
	}
	return "", err
}
