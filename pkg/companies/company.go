// Package companies keeps the companies the user's contacts work at, and
// links each contact to one from its company text and email domain
// without duplicates from spellings ("Acme", "ACME Inc.", "acme.io").
package companies

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/publicsuffix"

	"github.com/rapport-crm/rapport/pkg/input"
)

// Company is an organisation the user's contacts work at (PRODUCT.md §8).
type Company struct {
	ID        string    `json:"id"`
	UserID    string    `json:"-"`
	Name      string    `json:"name"`
	Domain    string    `json:"domain"`
	URL       string    `json:"url"`
	Tags      []string  `json:"tags"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Input is the body of POST /v1/companies and the patchable view of a company.
type Input struct {
	Name   string   `json:"name"`
	Domain string   `json:"domain,omitempty"`
	URL    string   `json:"url,omitempty"`
	Tags   []string `json:"tags,omitempty"`
	Notes  string   `json:"notes,omitempty"`
}

func inputOf(c *Company) Input {
	return Input{Name: c.Name, Domain: c.Domain, URL: c.URL, Tags: c.Tags, Notes: c.Notes}
}

// apply checks in and writes it into c.
func (in Input) apply(c *Company) error {
	var ch input.Checker
	c.Name = ch.Required("name", in.Name, input.MaxShort)
	c.Domain = ""
	if d := strings.TrimSpace(in.Domain); d != "" {
		if c.Domain = Domain(d); c.Domain == "" {
			ch.Add("domain", "must be a domain name, such as acme.io")
		}
	}
	c.URL = ch.URL("url", in.URL)
	c.Tags = ch.Tags("tags", in.Tags)
	c.Notes = ch.Text("notes", in.Notes, input.MaxNotes)
	if c.Name != "" && NameKey(c.Name) == "" {
		ch.Add("name", "needs a letter or a digit")
	}
	return ch.Err()
}

// Validate checks in as a new company would be, without storing anything.
func (in Input) Validate() error {
	var c Company
	return in.apply(&c)
}

// legalForms are the words a company name may end with that do not tell
// companies apart ("Acme Inc." is Acme).
var legalForms = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "ltd": true, "limited": true, "gmbh": true, "ag": true,
	"sa": true, "sas": true, "sarl": true, "bv": true, "nv": true, "plc": true, "corp": true, "corporation": true,
	"co": true, "company": true, "oy": true, "ab": true, "as": true, "srl": true, "spa": true, "pty": true, "kg": true,
	"se": true, "ug": true, "lp": true, "group": true, "holding": true, "holdings": true,
}

// NameKey is the form company names are matched in: lower case, letters
// and digits only, without a legal form at the end, and a domain-like name
// ("acme.io") by its registrable label. "" for a name with no letters or
// digits.
func NameKey(name string) string {
	s := strings.ToLower(strings.TrimSpace(name))
	if !strings.ContainsAny(s, " \t") && strings.Contains(s, ".") {
		if label := domainLabel(Domain(s)); label != "" {
			return label
		}
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for len(words) > 1 && legalForms[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// Domain returns the registrable domain of a host, URL or email address
// ("https://www.eu.acme.co.uk/x" → "acme.co.uk"), or "".
func Domain(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#:"); i >= 0 {
		s = s[:i]
	}
	s = strings.Trim(s, ".")
	if s == "" || strings.ContainsAny(s, " @") {
		return ""
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(s)
	if err != nil {
		return ""
	}
	return d
}

// domainLabel is the registrable label of a domain ("acme.co.uk" → "acme").
func domainLabel(d string) string {
	if i := strings.IndexByte(d, '.'); i > 0 {
		return d[:i]
	}
	return ""
}

// freeMail are the domains of personal email: an address there says
// nothing about where its owner works.
var freeMail = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.com": true, "ymail.com": true, "hotmail.com": true, "outlook.com": true,
	"live.com": true, "msn.com": true, "icloud.com": true, "me.com": true, "mac.com": true, "aol.com": true, "proton.me": true,
	"protonmail.com": true, "pm.me": true, "gmx.de": true, "gmx.net": true, "gmx.com": true, "web.de": true, "mail.ru": true,
	"yandex.ru": true, "yandex.com": true, "qq.com": true, "163.com": true, "126.com": true, "fastmail.com": true, "hey.com": true,
	"zoho.com": true, "t-online.de": true, "orange.fr": true, "free.fr": true, "laposte.net": true, "libero.it": true,
	"yahoo.co.uk": true, "hotmail.co.uk": true, "btinternet.com": true, "mailbox.org": true, "posteo.de": true, "tutanota.com": true,
	// Reserved for documentation and tests (RFC 2606): nobody works there.
	"example.com": true, "example.org": true, "example.net": true,
}

// WorkDomain returns the registrable domain of an email address when it is
// a work address (not free mail), else "".
func WorkDomain(email string) string {
	d := Domain(email)
	if freeMail[d] {
		return ""
	}
	return d
}

// Keys returns the keys that identify c: its name's key and its domain.
func Keys(c *Company) []string {
	var keys []string
	if k := NameKey(c.Name); k != "" {
		keys = append(keys, "name:"+k)
	}
	if c.Domain != "" {
		keys = append(keys, "domain:"+c.Domain)
	}
	return keys
}

// candidates are the keys, best first, that may find the company of a
// contact with this company text and these emails.
func candidates(company string, emails []string) []string {
	var out []string
	var labels []string
	for _, e := range emails {
		if d := WorkDomain(e); d != "" {
			out = append(out, "domain:"+d)
			labels = append(labels, "name:"+domainLabel(d))
		}
	}
	if k := NameKey(company); k != "" {
		out = append(out, "name:"+k)
	}
	return append(out, labels...)
}
