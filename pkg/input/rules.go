package input

import (
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // IANA names must resolve on machines without zoneinfo

	"unicode/utf8"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Limits of PRODUCT.md §2.
const (
	MaxName    = 200
	MaxNotes   = 20000
	MaxTags    = 50
	MaxTagLen  = 64
	MaxURL     = 2048
	MaxEmail   = 254
	MaxEmails  = 20
	MaxShort   = 200 // company, title, location and other one-line texts
	MaxPhone   = 64
	MaxListLen = 50 // phones, talks, topics
)

// Checker collects field errors while validating one input; its Err
// returns an Invalid error listing them, or nil.
type Checker struct{ apperr.Fields }

// Required trims s, and records an error if it is empty or longer than max.
// It returns the trimmed value.
func (c *Checker) Required(field, s string, max int) string {
	s = strings.TrimSpace(s)
	if s == "" {
		c.Add(field, "is required")
		return s
	}
	return c.Text(field, s, max)
}

// Text trims s and records an error if it is longer than max characters,
// is not valid UTF-8 or holds a NUL (which no file format we write can carry).
func (c *Checker) Text(field, s string, max int) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		c.Add(field, "is not valid UTF-8")
	} else if strings.IndexByte(s, 0) >= 0 {
		c.Add(field, "must not contain NUL characters")
	} else if n := utf8.RuneCountInString(s); n > max {
		c.Add(field, "is %d characters long; at most %d", n, max)
	}
	return s
}

// Email normalises an address (trimmed, lowercased) and records an error if
// it is not a plain address.
func (c *Checker) Email(field, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		c.Add(field, "is required")
		return s
	}
	if strings.IndexByte(s, 0) >= 0 {
		c.Add(field, "must not contain NUL characters")
		return s
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > MaxEmail || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") && !strings.HasSuffix(s, "@localhost") {
		c.Add(field, "is not a valid email address")
	}
	return s
}

// Emails normalises a list of addresses, dropping repeats.
func (c *Checker) Emails(field string, in []string) []string {
	if len(in) > MaxEmails {
		c.Add(field, "has %d entries; at most %d", len(in), MaxEmails)
		return in
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, e := range in {
		e = c.Email(field+"["+strconv.Itoa(i)+"]", e)
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// URL checks that s is empty or an absolute http(s) URL.
func (c *Checker) URL(field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > MaxURL {
		c.Add(field, "must be an http(s) URL")
	}
	return s
}

// Tags trims tags, drops empty ones and repeats (case-insensitively, keeping
// the first spelling), and checks the §2 limits.
func (c *Checker) Tags(field string, in []string) []string {
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for i, t := range in {
		t = c.Text(field+"["+strconv.Itoa(i)+"]", t, MaxTagLen)
		k := strings.ToLower(t)
		if t == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		c.Add(field, "has %d tags; at most %d", len(out), MaxTags)
	}
	return out
}

// Timezone checks that s is an IANA zone name; empty returns def.
func (c *Checker) Timezone(field, s, def string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	if _, err := time.LoadLocation(s); err != nil || s == "Local" {
		c.Add(field, "is not an IANA time zone name (e.g. Europe/Berlin)")
	}
	return s
}

// OneOf checks that s is one of allowed; empty returns def.
func (c *Checker) OneOf(field, s, def string, allowed ...string) string {
	if s == "" {
		return def
	}
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	c.Add(field, "must be one of %s", strings.Join(allowed, ", "))
	return s
}

// RequiredOneOf checks that s is one of allowed, and records that it is
// required (naming allowed) if it is empty.
func (c *Checker) RequiredOneOf(field, s string, allowed ...string) string {
	if s == "" {
		c.Add(field, "is required (one of %s)", strings.Join(allowed, ", "))
		return s
	}
	return c.OneOf(field, s, "", allowed...)
}

// Range checks lo ≤ n ≤ hi.
func (c *Checker) Range(field string, n, lo, hi int) {
	if n < lo || n > hi {
		c.Add(field, "must be between %d and %d", lo, hi)
	}
}

// MinYear and MaxYear bound the times a client gives (Checker.Time): a
// follow-up due in the year 1 was stored as no due time at all, which a
// restore then refused; an interaction in 1850 made its contact known
// since before the year known_since allows; an event starting late in
// 9999 ended, two hours later, in a year JSON cannot write (a 500).
const (
	MinYear = 1900
	MaxYear = 9000
)

// Time parses an RFC 3339 time, in the years MinYear to MaxYear; empty
// returns nil.
func (c *Checker) Time(field, s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		c.Add(field, "must be an RFC 3339 time such as 2026-11-24T18:30:00Z")
		return nil
	}
	t = t.UTC().Truncate(time.Millisecond)
	if t.Year() < MinYear || t.Year() > MaxYear {
		c.Add(field, "must be in the years %d to %d", MinYear, MaxYear)
		return nil
	}
	return &t
}

// TimeOrDate parses an RFC 3339 time or a date (2006-01-02), which is
// taken at noon UTC: the same day in every time zone within twelve hours
// of UTC. Empty returns nil.
func (c *Checker) TimeOrDate(field, s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	t, ok := ParseTimeOrDate(s)
	if !ok {
		c.Add(field, "must be a date such as 2026-11-24 or an RFC 3339 time such as 2026-11-24T18:30:00Z")
		return nil
	}
	return &t
}

// ParseTimeOrDate reads s as TimeOrDate does (store precision, UTC).
func ParseTimeOrDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d, derr := time.Parse(time.DateOnly, s)
		if derr != nil {
			return time.Time{}, false
		}
		t = d.Add(12 * time.Hour)
	}
	return t.UTC().Truncate(time.Millisecond), true
}

// Search turns a user's search text into a "contains" pattern for $regex
// on a SearchText field: folded as that field is (Fold), every
// metacharacter escaped, so the text is matched as plain text, never as a
// pattern. Empty text gives "".
func Search(q string) string {
	q = Fold(strings.TrimSpace(q))
	if q == "" {
		return ""
	}
	return regexp.QuoteMeta(q)
}

// SearchText joins the parts of a document that q searches, folded (Fold),
// into the one field q is found in.
func SearchText(parts ...string) string {
	return Fold(strings.Join(parts, "\n"))
}

// LowerAll returns the lowercased copies of ss (for case-insensitive tag filters).
func LowerAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}
