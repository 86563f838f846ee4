package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Card is the user's personal card, published at /c/{card_id} while
// Enabled (PRODUCT.md §7). ID is random (128 bits) and public — it is in
// the QR code — so it is stored as is; Key signs the card's event
// references and its form's per-render tokens and is never written out.
// Rotating the card replaces both: the old URL answers 404 at once.
type Card struct {
	Enabled  bool     `json:"enabled"`
	ID       string   `json:"card_id,omitempty"`
	Headline string   `json:"headline"`
	Company  string   `json:"company"`
	Title    string   `json:"title"`
	Phone    string   `json:"phone"`
	Email    string   `json:"email"`
	Links    []string `json:"links"`
	// Fields are the optional fields the "Leave your details" form asks
	// for (name and consent are always asked); nil means all of them.
	Fields []string `json:"fields"`
	Key    string   `json:"-"`
}

// MarshalJSON writes the card with links as a list even when it has none
// (fields stays null when unset: that means "all of them").
func (c Card) MarshalJSON() ([]byte, error) {
	type card Card
	if c.Links == nil {
		c.Links = []string{}
	}
	return json.Marshal(card(c))
}

// CardFields are the optional fields of the "Leave your details" form, in
// the order the form shows them.
var CardFields = []string{"email", "company", "title", "linkedin_url", "note"}

// Asks reports whether the card's form asks for the optional field f.
func (c *Card) Asks(f string) bool {
	return c.Fields == nil || slices.Contains(c.Fields, f)
}

// CardSettings is the patchable view of Card (PATCH /v1/me card). CardID
// is what GET /v1/me shows; a patch may send it back and it is ignored
// (POST /v1/me/card/rotate changes the id).
type CardSettings struct {
	Enabled  bool     `json:"enabled"`
	Headline string   `json:"headline"`
	Company  string   `json:"company"`
	Title    string   `json:"title"`
	Phone    string   `json:"phone"`
	Email    string   `json:"email"`
	Links    []string `json:"links"`
	Fields   []string `json:"fields"`
	CardID   string   `json:"card_id,omitempty"`
}

// maxCardLinks bounds the links on a card.
const maxCardLinks = 10

func cardSettingsOf(c Card) CardSettings {
	return CardSettings{Enabled: c.Enabled, Headline: c.Headline, Company: c.Company, Title: c.Title, Phone: c.Phone,
		Email: c.Email, Links: c.Links, Fields: c.Fields}
}

// apply validates s into card (keeping its id and key).
func (s CardSettings) apply(card *Card, ch *input.Checker) {
	card.Enabled = s.Enabled
	card.Headline = ch.Text("card.headline", s.Headline, input.MaxShort)
	card.Company = ch.Text("card.company", s.Company, input.MaxShort)
	card.Title = ch.Text("card.title", s.Title, input.MaxShort)
	card.Phone = ch.Text("card.phone", s.Phone, input.MaxPhone)
	card.Email = ""
	if s.Email != "" {
		card.Email = ch.Email("card.email", s.Email)
	}
	if len(s.Links) > maxCardLinks {
		ch.Add("card.links", "has %d links; at most %d", len(s.Links), maxCardLinks)
	}
	card.Links = nil
	for i, l := range s.Links {
		if l = ch.URL(fmt.Sprintf("card.links[%d]", i), l); l != "" {
			card.Links = append(card.Links, l)
		}
	}
	card.Fields = nil
	if s.Fields != nil {
		card.Fields = []string{}
		for i, f := range s.Fields {
			switch {
			case !slices.Contains(CardFields, f):
				ch.Add(fmt.Sprintf("card.fields[%d]", i), "must be one of %v", CardFields)
			case !slices.Contains(card.Fields, f):
				card.Fields = append(card.Fields, f)
			}
		}
	}
	if card.Enabled && card.ID == "" {
		card.ID, card.Key = newCardID()
	}
}

// newCardID returns a card id of 128 random bits and a signing key of 256.
func newCardID() (id, key string) {
	b := make([]byte, 16)
	rand.Read(b)
	k, _ := NewSecret("")
	return base64.RawURLEncoding.EncodeToString(b), k
}

// RotateCard gives the user's card a new id and key: links and QR codes
// made before stop working at once. It returns the user.
func (s *Service) RotateCard(ctx context.Context, userID string) (*User, error) {
	u, err := s.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	u.Card.ID, u.Card.Key = newCardID()
	u.UpdatedAt = record.Time(s.Now())
	return u, s.Store.UpdateUser(ctx, u)
}

// CardOwner returns the user whose enabled card has id; NotFound for an
// unknown, rotated or disabled card (they are told apart by nobody).
func (s *Service) CardOwner(ctx context.Context, id string) (*User, error) {
	notFound := apperr.E(apperr.NotFound, "no such card")
	if len(id) != 22 {
		return nil, notFound
	}
	u, err := s.Store.UserByCard(ctx, id)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, notFound
		}
		return nil, err
	}
	if !u.Card.Enabled || !SameHash(u.Card.ID, id) {
		return nil, notFound
	}
	return u, nil
}

// mac returns the card key's HMAC-SHA256 of the parts, base64url.
func (c *Card) mac(n int, parts ...string) string {
	m := hmac.New(sha256.New, []byte(c.Key))
	m.Write([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:n])
}

// EventRef is the opaque reference to an event that the card's QR code
// carries instead of the event id: 96 bits of the card key's HMAC of the
// id, so it tells nothing about the event and changes when the card
// is rotated.
func (c *Card) EventRef(eventID string) string { return c.mac(12, "event", eventID) }

// SameRef compares two event references in constant time.
func SameRef(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// FormTokenTTL is how long a rendered "Leave your details" form can be sent.
const FormTokenTTL = 2 * time.Hour

// FormToken returns a per-render token for the card's form at the event
// ref: a random nonce, the time, and the card key's HMAC of both. Only the
// server can make one; CheckFormToken refuses a forged or stale one, and
// the caller refuses a replay by its nonce.
func (c *Card) FormToken(ref string, now time.Time) string {
	b := make([]byte, 12)
	rand.Read(b)
	nonce, at := base64.RawURLEncoding.EncodeToString(b), strconv.FormatInt(now.Unix(), 10)
	return nonce + "." + at + "." + c.mac(32, "form", c.ID, ref, nonce, at)
}

// CheckFormToken returns the nonce of a token made by FormToken for this
// card and ref within FormTokenTTL; ok is false for any other.
func (c *Card) CheckFormToken(ref, token string, now time.Time) (nonce string, ok bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 200 {
		return "", false
	}
	at, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return "", false
	}
	if age := now.Sub(time.Unix(at, 0)); age < -time.Minute || age > FormTokenTTL {
		return "", false
	}
	if !hmac.Equal([]byte(parts[2]), []byte(c.mac(32, "form", c.ID, ref, parts[0], parts[1]))) {
		return "", false
	}
	return parts[0], true
}
