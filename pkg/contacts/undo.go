package contacts

import (
	"slices"
	"strings"
	"time"
)

// Addition is what an import added to one of the contacts it merged into
// (an import only adds: emails, phones and tags, blank fields filled, an
// earlier known_since, the company that linked, an empty card's extra).
// Undoing the import takes out of the contact what still holds it, and
// keeps what was changed since (TakeOut).
type Addition struct {
	ID          string   `json:"id"`
	Emails      []string `json:"emails,omitempty"`
	Phones      []string `json:"phones,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Company     string   `json:"company,omitempty"`
	CompanyID   string   `json:"company_id,omitempty"`
	Title       string   `json:"title,omitempty"`
	LinkedInURL string   `json:"linkedin_url,omitempty"`
	Notes       string   `json:"notes,omitempty"`
	CadenceDays int      `json:"cadence_days,omitempty"`
	// KnownSince is the known_since it moved the contact back to.
	KnownSince *time.Time `json:"known_since,omitempty"`
	// ExtraSum is ExtraSum of the card's extra it filled ("" if none).
	ExtraSum string `json:"extra_sum,omitempty"`
}

// Added is what after holds that before did not, as an Addition to the
// contact: the emails, phones and tags it gained, the blank fields it
// filled, the company it was linked to and an earlier known_since. The
// card's extra is not compared (a snapshot may leave it out).
func Added(before, after *Contact) Addition {
	a := Addition{ID: after.ID,
		Emails: gained(before.Emails, after.Emails), Phones: gained(before.Phones, after.Phones), Tags: gained(before.Tags, after.Tags)}
	for _, f := range []struct {
		dst      *string
		was, now string
	}{{&a.Company, before.Company, after.Company}, {&a.Title, before.Title, after.Title},
		{&a.LinkedInURL, before.LinkedInURL, after.LinkedInURL}, {&a.Notes, before.Notes, after.Notes}} {
		if f.was == "" {
			*f.dst = f.now
		}
	}
	if before.CompanyID != after.CompanyID {
		a.CompanyID = after.CompanyID
	}
	if before.CadenceDays == 0 {
		a.CadenceDays = after.CadenceDays
	}
	if after.KnownSince.Before(before.KnownSince) {
		t := after.KnownSince
		a.KnownSince = &t
	}
	return a
}

// TakeOut takes a out of c — the contact now, before was the contact
// before the import: each email, phone and tag a added, each field it
// filled while it holds what it filled, the company it linked while it
// is still linked, known_since while it is where a moved it, the card's
// extra while it is what a put there. What was changed since stays: a
// note written after the import, an earlier known_since an encounter
// logged since brought, a card the phone has rewritten.
func (a *Addition) TakeOut(c, before *Contact) {
	c.Emails = without(c.Emails, a.Emails)
	c.Phones = without(c.Phones, a.Phones)
	c.Tags = without(c.Tags, a.Tags)
	for _, f := range []struct {
		dst   *string
		added string
	}{{&c.Company, a.Company}, {&c.Title, a.Title}, {&c.LinkedInURL, a.LinkedInURL}, {&c.Notes, a.Notes}} {
		if f.added != "" && *f.dst == f.added {
			*f.dst = ""
		}
	}
	if a.CompanyID != "" && c.CompanyID == a.CompanyID {
		c.CompanyID = before.CompanyID
	}
	if a.CadenceDays != 0 && c.CadenceDays == a.CadenceDays {
		c.CadenceDays = 0
	}
	if a.KnownSince != nil && c.KnownSince.Equal(*a.KnownSince) {
		c.KnownSince = before.KnownSince
	}
	if a.ExtraSum != "" && ExtraSum(c.CardExtra) == a.ExtraSum {
		c.CardExtra = ""
	}
}

// gained is what of now was not in was, items compared without case or
// surrounding spaces (sameItem; union, which made them, lowers case only).
func gained(was, now []string) []string {
	var out []string
	for _, x := range now {
		if !slices.ContainsFunc(was, func(y string) bool { return sameItem(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

// without is list less every item of drop.
func without(list, drop []string) []string {
	if len(drop) == 0 {
		return list
	}
	return slices.DeleteFunc(slices.Clone(list), func(x string) bool {
		return slices.ContainsFunc(drop, func(y string) bool { return sameItem(x, y) })
	})
}

// sameItem reports whether two emails, phones or tags are the same one.
func sameItem(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
