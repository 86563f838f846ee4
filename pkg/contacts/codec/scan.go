package codec

import (
	"context"
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
)

// Scanned is what a scanned code says about a person: a prefill for the
// log form, not yet a contact (a name may be missing).
type Scanned struct {
	Name        string   `json:"name"`
	Emails      []string `json:"emails"`
	Phones      []string `json:"phones"`
	Company     string   `json:"company"`
	Title       string   `json:"title"`
	LinkedInURL string   `json:"linkedin_url"`
}

// FromCode reads the text of a scanned code: a vCard, a MECARD, a mailto:
// link or a LinkedIn profile URL. Anything else is Invalid, naming text.
func FromCode(ctx context.Context, text string) (*Scanned, error) {
	t := strings.TrimSpace(text)
	upper := strings.ToUpper(t)
	switch {
	case strings.HasPrefix(upper, "BEGIN:VCARD"):
		var out *Scanned
		var rowErr error
		err := ReadVCards(ctx, strings.NewReader(t), func(r contacts.Row) error {
			if out == nil && rowErr == nil {
				if r.Err != nil {
					rowErr = r.Err
				} else {
					out = scannedFrom(r.Input)
				}
			}
			return nil
		})
		if err == nil {
			err = rowErr
		}
		if err != nil || out == nil {
			return nil, apperr.InvalidField("text", "is a vCard that could not be read: %v", errors.Join(err, errors.New("no card")))
		}
		return out, nil
	case strings.HasPrefix(upper, "MECARD:"):
		return fromMECARD(t[len("MECARD:"):])
	case strings.HasPrefix(upper, "MAILTO:"):
		u, err := url.Parse(t)
		if err != nil {
			return nil, apperr.InvalidField("text", "is a mailto: link that could not be read")
		}
		addr := u.Opaque
		if addr == "" {
			addr = strings.TrimPrefix(u.Path, "/")
		} else if un, err := url.PathUnescape(addr); err == nil {
			addr = un
		}
		addr, _, _ = strings.Cut(addr, ",") // the first of several recipients
		a, err := mail.ParseAddress(addr)
		if err != nil {
			return nil, apperr.InvalidField("text", "is a mailto: link without a valid address")
		}
		return &Scanned{Name: a.Name, Emails: []string{strings.ToLower(a.Address)}, Phones: []string{}}, nil
	}
	if li := contacts.CanonicalLinkedIn(t); li != "" {
		return &Scanned{LinkedInURL: li, Emails: []string{}, Phones: []string{}}, nil
	}
	return nil, apperr.InvalidField("text", "holds no contact details (a vCard, MECARD, mailto: link or LinkedIn profile URL)")
}

func scannedFrom(in contacts.Input) *Scanned {
	s := &Scanned{Name: in.Name, Emails: in.Emails, Phones: in.Phones, Company: in.Company, Title: in.Title, LinkedInURL: contacts.CanonicalLinkedIn(in.LinkedInURL)}
	if s.Emails == nil {
		s.Emails = []string{}
	}
	if s.Phones == nil {
		s.Phones = []string{}
	}
	return s
}

// fromMECARD reads a MECARD's fields (N:Last,First;TEL:…;EMAIL:…;ORG:…;
// URL:…;;), with \\ escapes. No maintained Go library reads MECARD; its
// grammar is this one line.
func fromMECARD(body string) (*Scanned, error) {
	s := &Scanned{Emails: []string{}, Phones: []string{}}
	var fields []string
	var cur strings.Builder
	esc := false
	for _, r := range body {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			esc = true
		case r == ';':
			fields = append(fields, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		fields = append(fields, cur.String())
	}
	for _, f := range fields {
		key, val, ok := strings.Cut(f, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.ToUpper(strings.TrimSpace(key)) {
		case "N":
			if last, first, ok := strings.Cut(val, ","); ok {
				val = strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
			}
			s.Name = val
		case "TEL":
			s.Phones = append(s.Phones, val)
		case "EMAIL":
			s.Emails = append(s.Emails, strings.ToLower(val))
		case "ORG":
			s.Company = val
		case "URL":
			if li := contacts.CanonicalLinkedIn(val); li != "" {
				s.LinkedInURL = li
			}
		}
	}
	if s.Name == "" && len(s.Emails) == 0 && len(s.Phones) == 0 {
		return nil, apperr.InvalidField("text", "is a MECARD with no name, email or phone")
	}
	return s, nil
}

// cardPath is the path of a Rapport card's public page (/c/{card_id}).
var cardPath = regexp.MustCompile(`^/c/[A-Za-z0-9_-]{16,64}$`)

// CardVCF returns the address of the vCard behind a scanned Rapport card
// (https://host/c/{card_id}?e=… → https://host/c/{card_id}.vcf), or false
// if text is not one.
func CardVCF(text string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(text))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !cardPath.MatchString(u.Path) {
		return "", false
	}
	return u.Scheme + "://" + u.Host + u.Path + ".vcf", true
}

// MaxCardVCF bounds the vCard fetched for a scanned Rapport card.
const MaxCardVCF = 64 << 10

// FromCodeWith reads a scanned code as FromCode does, and also another
// Rapport user's card (its QR code holds the card page's address): fetch
// gets that card's vCard — through the caller's guard against private
// addresses, bounded in size and time — which is then read as a scanned
// vCard. With fetch nil such a code is Invalid, as any other URL.
func FromCodeWith(ctx context.Context, text string, fetch func(ctx context.Context, url string) ([]byte, error)) (*Scanned, error) {
	vcf, ok := CardVCF(text)
	if !ok || fetch == nil {
		return FromCode(ctx, text)
	}
	data, err := fetch(ctx, vcf)
	if err != nil {
		return nil, apperr.InvalidField("text", "is a Rapport card whose details could not be fetched: %v", err)
	}
	if !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(string(data))), "BEGIN:VCARD") {
		return nil, apperr.InvalidField("text", "is a Rapport card whose page gave no vCard")
	}
	return FromCode(ctx, string(data))
}
