package crm

import (
	"net/url"
	"strings"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/words"
)

// Reach is how the pages and the nudge email offer to write to a contact
// about a follow-up, one way of three: Mail, Write it (WriteTo); without
// an email, LinkedIn, their profile, where most people met at an event are
// found; without either, SMS, a text to their first phone number.
type Reach struct{ Mail, LinkedIn, SMS string }

// ReachFor is how to write to c about f (Reach); all "" for a contact
// with none of the three.
func ReachFor(f *followup.FollowUp, c *contacts.Contact, ev *events.Event) Reach {
	if len(c.Emails) > 0 {
		return Reach{Mail: WriteTo(f, c, ev)}
	}
	if li := contacts.CanonicalLinkedIn(c.LinkedInURL); li != "" {
		return Reach{LinkedIn: li}
	}
	if len(c.Phones) > 0 {
		return Reach{SMS: textTo(c.Phones[0])}
	}
	return Reach{}
}

// textTo is the sms: link to phone (RFC 5724), its number as digits and a
// leading +, nothing else (so nothing in a stored number can make it
// anything but a number); "" for a number with no digits.
func textTo(phone string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if digits == "" {
		return ""
	}
	if strings.HasPrefix(strings.TrimSpace(phone), "+") {
		digits = "+" + digits
	}
	return "sms:" + digits
}

// WriteTo is the mailto: link that writes to c about f — "Write it" on
// the pages and in the nudge email — to c's first email, its subject and
// first lines from the context (the event, the topics, the intro; never
// your notes, which are about the person it goes to); "" for a contact
// without an email.
func WriteTo(f *followup.FollowUp, c *contacts.Contact, ev *events.Event) string {
	if len(c.Emails) == 0 {
		return ""
	}
	first := strings.Fields(c.Name)
	hello := "Hi"
	if len(first) > 0 {
		hello = "Hi " + first[0]
	}
	where := ""
	if ev != nil {
		where = ev.Title
	}
	var subject, body string
	switch f.Kind {
	case followup.ThankYou:
		subject = "Great to meet you"
		if where != "" {
			subject += " at " + where
		}
		// "…the chat at GoDays about go and wasm." Your notes are yours:
		// the page shows them beside the link, the draft never quotes
		// them to the person they are about.
		_, topics := EncounterWhyParts(f.Note)
		body = hello + ",\n\nthank you for the chat" + atPlace(where)
		if len(topics) > 0 {
			body += " about " + words.AndList(topics)
		}
		body += "."
	case followup.IntroCheck:
		subject = "How did the introduction go?"
		body = hello + ",\n\ndid you " + introducedTo(f, c) + " manage to meet?"
	case followup.Opportunity:
		// The opportunity, not your step ("Send CV"), is what the email is
		// about.
		subject = firstLine(NextStepTitle(f.Note))
		body = hello + ",\n\n"
	case followup.CheckIn:
		subject = "Catching up"
		body = hello + ",\n\nit has been a while" + since(where) + " — how are things?"
	default: // a custom one's note is your task, not the email's subject
		body = hello + ",\n\n"
	}
	if subject == "" {
		subject = "Following up"
	}
	q := url.Values{"subject": {subject}, "body": {body + "\n"}}
	// mailto: wants %20, not +, for spaces (RFC 6068).
	return "mailto:" + url.PathEscape(c.Emails[0]) + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// introducedTo names, for an intro check's draft to c, the other person
// of the intro ("you and Bob"), or "you two" when its note no longer
// says (edited by hand, or c renamed since).
func introducedTo(f *followup.FollowUp, c *contacts.Contact) string {
	a, b, _, ok := IntroWhyParts(f.Note)
	other := ""
	switch {
	case !ok:
	case a == c.Name:
		other = b
	case b == c.Name:
		other = a
	}
	if first := strings.Fields(other); len(first) > 0 && other != "a contact" {
		return "and " + first[0]
	}
	return "two"
}

func atPlace(where string) string {
	if where == "" {
		return ""
	}
	return " at " + where
}

func since(where string) string {
	if where == "" {
		return ""
	}
	return " since " + where
}

// firstLine is the first line of s, at most 80 runes.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return input.Cut(s, 80)
}
