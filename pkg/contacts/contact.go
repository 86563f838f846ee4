package contacts

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
)

// Contact is a person the user knows.
type Contact struct {
	ID              string     `json:"id"`
	UserID          string     `json:"-"`
	Name            string     `json:"name"`
	Emails          []string   `json:"emails"`
	Phones          []string   `json:"phones"`
	Company         string     `json:"company"`
	CompanyID       string     `json:"company_id,omitempty"`
	Title           string     `json:"title"`
	LinkedInURL     string     `json:"linkedin_url"`
	Tags            []string   `json:"tags"`
	Notes           string     `json:"notes"`
	CadenceDays     int        `json:"cadence_days"`
	LastContactedAt *time.Time `json:"last_contacted_at"`
	// KnownSince is since when the user has known the person: when the
	// contact was made, or earlier — the first encounter or interaction
	// logged at an earlier time, LinkedIn's "Connected On" of an import,
	// the earlier of two merged contacts, or a date the user gave. It
	// only moves back by itself; the contacts table sorts by it.
	KnownSince time.Time `json:"known_since"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`

	// DAVName is the resource name a CardDAV client gave the card it made
	// (the card's href is that name + ".vcf"; one per user, held as the
	// key "dav:"+name); empty for contacts made elsewhere, whose href is
	// their id. It is only this user's name for the card, never an id
	// (PRODUCT.md §2), so it can neither collide with nor reveal another
	// user's records.
	DAVName string `json:"-"`
	// CardUID is the UID of the card a client made, served back unchanged
	// (empty: the card's UID is the contact id).
	CardUID string `json:"-"`
	// CardExtra is what the contact's card in an address book holds that
	// Rapport has no field for — a birthday, an address, a photo, a
	// website — and the form the client gave Rapport's own fields (N's
	// parts, a phone's label), as a vCard of those properties, kept from
	// the last card a CardDAV client sent and served back in the card, so
	// an edit on the phone does not lose them. The API leaves it out;
	// backups carry it.
	CardExtra string `json:"-"`
}

// MaxCardExtra bounds CardExtra (a card is at most 1 MiB).
const MaxCardExtra = 1 << 20

// CheckCardExtra refuses a CardExtra over MaxCardExtra.
func CheckCardExtra(extra string) error {
	if len(extra) > MaxCardExtra {
		return apperr.InvalidField("card_extra", "is %d bytes; at most %d", len(extra), MaxCardExtra)
	}
	return nil
}

// Input is the body of POST /v1/contacts (and of an inline contact in an
// encounter) and the patchable view of a contact.
type Input struct {
	Name        string   `json:"name"`
	Emails      []string `json:"emails,omitempty"`
	Phones      []string `json:"phones,omitempty"`
	Company     string   `json:"company,omitempty"`
	Title       string   `json:"title,omitempty"`
	LinkedInURL string   `json:"linkedin_url,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Notes       string   `json:"notes,omitempty"`
	CadenceDays int      `json:"cadence_days,omitempty"`
	// KnownSince is a date (2019-05-01) or an RFC 3339 time, not in the
	// future; empty leaves it as it is (at creation: now).
	KnownSince string `json:"known_since,omitempty"`
}

func inputOf(c *Contact) Input {
	in := Input{Name: c.Name, Emails: c.Emails, Phones: c.Phones, Company: c.Company, Title: c.Title,
		LinkedInURL: c.LinkedInURL, Tags: c.Tags, Notes: c.Notes, CadenceDays: c.CadenceDays}
	if !c.KnownSince.IsZero() {
		in.KnownSince = c.KnownSince.UTC().Format(time.RFC3339Nano)
	}
	return in
}

// minKnownSince is the year before which no known_since is taken (a
// mistyped year, a spreadsheet's zero date).
const minKnownSince = 1900

// checkKnownSince refuses c's known_since after now (field named with
// prefix).
func checkKnownSince(c *Contact, now time.Time, prefix string) error {
	if c.KnownSince.After(now) {
		return apperr.InvalidField(prefix+"known_since", "is in the future; it is since when you have known them")
	}
	return nil
}

// apply checks in and writes it into c, prefixing field names with
// prefix (e.g. "contact." for an inline contact).
func (in Input) apply(c *Contact, prefix string) error {
	var ch input.Checker
	c.Name = ch.Required(prefix+"name", in.Name, input.MaxName)
	c.Emails = ch.Emails(prefix+"emails", in.Emails)
	if len(in.Phones) > input.MaxListLen {
		ch.Add(prefix+"phones", "has %d entries; at most %d", len(in.Phones), input.MaxListLen)
	}
	c.Phones = make([]string, 0, len(in.Phones))
	for i, p := range in.Phones {
		if p = ch.Text(prefix+"phones["+strconv.Itoa(i)+"]", p, input.MaxPhone); p != "" {
			c.Phones = append(c.Phones, p)
		}
	}
	c.Company = ch.Text(prefix+"company", in.Company, input.MaxShort)
	c.Title = ch.Text(prefix+"title", in.Title, input.MaxShort)
	c.LinkedInURL = ""
	if li := strings.TrimSpace(in.LinkedInURL); li != "" {
		if c.LinkedInURL = CanonicalLinkedIn(li); c.LinkedInURL == "" || len(li) > input.MaxURL {
			ch.Add(prefix+"linkedin_url", "must be a linkedin.com profile URL, such as https://www.linkedin.com/in/jane-doe")
		}
	}
	c.Tags = ch.Tags(prefix+"tags", in.Tags)
	c.Notes = ch.Text(prefix+"notes", in.Notes, input.MaxNotes)
	c.CadenceDays = in.CadenceDays
	ch.Range(prefix+"cadence_days", c.CadenceDays, 0, 3650)
	if t := ch.TimeOrDate(prefix+"known_since", in.KnownSince); t != nil {
		if t.Year() < minKnownSince {
			ch.Add(prefix+"known_since", "is before %d", minKnownSince)
		} else {
			c.KnownSince = *t
		}
	}
	if err := ch.Err(); err != nil {
		return err
	}
	return nil
}

// CanonicalLinkedIn returns the one form a LinkedIn profile URL is stored
// in, https://www.linkedin.com/in/<slug> (slug lower-cased; no query,
// fragment or trailing slash; a page below the profile is the profile),
// from any of the forms people paste: with or without scheme, "www." or a
// country prefix. Other linkedin.com paths keep their path, lower-cased.
// It returns "" if raw is not a linkedin.com URL.
func CanonicalLinkedIn(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return ""
	}
	segs := strings.Split(strings.Trim(strings.ToLower(u.EscapedPath()), "/"), "/")
	if segs[0] == "" {
		return ""
	}
	if segs[0] == "in" {
		if len(segs) < 2 || segs[1] == "" {
			return ""
		}
		segs = segs[:2]
	}
	return "https://www.linkedin.com/" + strings.Join(segs, "/")
}

// NormalizeLinkedIn returns the dedupe form of a LinkedIn profile URL
// (linkedin.com/in/<slug>), or "" if raw is not a linkedin.com URL.
func NormalizeLinkedIn(raw string) string {
	c := CanonicalLinkedIn(raw)
	if c == "" {
		return ""
	}
	return "linkedin.com" + strings.TrimPrefix(c, "https://www.linkedin.com")
}

// dedupeKeys returns the keys that identify c: each email and its LinkedIn URL.
func dedupeKeys(c *Contact) []string {
	keys := make([]string, 0, len(c.Emails)+1)
	for _, e := range c.Emails {
		keys = append(keys, "email:"+e)
	}
	if li := NormalizeLinkedIn(c.LinkedInURL); li != "" {
		keys = append(keys, "linkedin:"+li)
	}
	if c.DAVName != "" {
		keys = append(keys, DAVKey(c.DAVName))
	}
	return keys
}

// CardNameOK reports whether name may name a card's resource in an address
// book (the href's last segment without ".vcf"; a task's too): 1 to 100
// letters, digits, '.', '_' or '-', not starting with one of the last three.
func CardNameOK(name string) bool {
	if len(name) == 0 || len(name) > 100 {
		return false
	}
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || r != '.' && r != '_' && r != '-') {
			return false
		}
	}
	return true
}

// ServedUID is the UID the contact's card carries in an address book:
// the one the app that made it gave it, else the contact's id (a group
// card names its members by it).
func (c *Contact) ServedUID() string {
	if c.CardUID != "" {
		return c.CardUID
	}
	return c.ID
}

// DAVKey is the key that holds a card's resource name for one user.
func DAVKey(name string) string { return "dav:" + name }

// KeyTaken says in words what a key is, for the Conflict of a key another
// contact holds ("one of your contacts has this email already").
func KeyTaken(key string) string {
	switch {
	case strings.HasPrefix(key, "linkedin:"):
		return "this LinkedIn URL"
	case strings.HasPrefix(key, "dav:"):
		return "this card name"
	}
	return "this email"
}

// Validate checks in as a new contact would be, without storing anything;
// field names get prefix.
func (in Input) Validate(prefix string) error {
	var c Contact
	return in.apply(&c, prefix)
}

// Validate checks c, read from outside the product (a backup), against
// the rules every contact is written under: Input's.
func (c *Contact) Validate() error { return inputOf(c).Validate("") }

// DedupeKeys returns the keys that identify c (each email, its LinkedIn
// URL, its card's resource name).
func DedupeKeys(c *Contact) []string { return dedupeKeys(c) }
