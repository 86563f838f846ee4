package web

import (
	"errors"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/search"
)

// The contact pages: search ("have I met them?"), the table (contacts_desk.go),
// a contact's page, possible duplicates and merging.

// handleWebContacts lists the user's contacts, or with q searches
// everything they wrote ("have I met them?", "who wanted the flame-graph
// notes?"): each hit leads to its contact where it has one.
func (s *pages) handleWebContacts(c *fiber.Ctx) error {
	p := s.page(c, "Contacts", "contacts")
	q := strings.TrimSpace(utils.CopyString(c.Query("q")))
	p.Form["q"] = q
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	if q != "" {
		hits, err := s.CRM.Search(ctx, u.ID, crm.SearchInput{Q: q, Limit: 30})
		if apperr.Is(err, apperr.Invalid) {
			return s.render(c, 200, "contacts", p) // nothing searchable: nobody matches
		}
		if err != nil {
			return err
		}
		var ids []string
		for _, h := range hits {
			if h.Type == search.Contact {
				ids = append(ids, h.ID)
			}
		}
		people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
		if err != nil {
			return err
		}
		for _, h := range hits {
			if ct, ok := people[h.ID]; ok && h.Type == search.Contact {
				p.People = append(p.People, webPersonOf(ct, u.Location(), h.Snippet))
				continue
			}
			p.People = append(p.People, webPerson{ID: h.ContactID, Name: h.Title, Company: hitKinds[h.Type], Snippet: h.Snippet})
		}
		return s.render(c, 200, "contacts", p)
	}
	if err := s.contactsTable(c, &p); err != nil {
		return err
	}
	return s.render(c, 200, "contacts", p)
}

// webPersonOf is a contact in a list, with the snippet search found (shown
// when it says more than the name).
func webPersonOf(ct *contacts.Contact, loc *time.Location, snippet string) webPerson {
	wp := webPerson{ID: ct.ID, Name: ct.Name, Company: ct.Company, Since: ct.KnownSince.In(loc).Format("2 Jan 2006")}
	if len(ct.Emails) > 0 {
		wp.Email = ct.Emails[0]
	}
	if snippet != ct.Name {
		wp.Snippet = snippet
	}
	if ct.LastContactedAt != nil {
		wp.LastMet = ct.LastContactedAt.In(loc).Format("2 Jan 2006")
	}
	return wp
}

// hitKinds say in words what a search hit other than a contact is.
var hitKinds = map[string]string{search.Encounter: "where you met", search.Interaction: "logged contact", search.Intro: "intro you made",
	search.Event: "event", search.Opportunity: "opportunity", search.Company: "company"}

// duplicateReasons say in words why two contacts may be one person.
var duplicateReasons = map[string]string{contacts.SameNameCompany: "Same name and company", contacts.SamePhone: "Same phone number",
	contacts.SimilarName: "Similar names"}

// handleWebDuplicates lists the pairs of contacts that may be one person,
// each with a button to keep either and merge the other into it.
func (s *pages) handleWebDuplicates(c *fiber.Ctx) error { return s.showDuplicates(c, 200, "") }

func (s *pages) showDuplicates(c *fiber.Ctx, status int, problem string) error {
	p := s.page(c, "Possible duplicates", "contacts")
	p.Problem = problem
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	pairs, err := s.CRM.Duplicates(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, d := range pairs {
		reason := duplicateReasons[d.Reason]
		if d.Reason == contacts.SameNameCompany && d.Contacts[0].Company == "" {
			reason = "Same name"
		}
		p.Pairs = append(p.Pairs, webPair{Reason: reason,
			A: webPersonOf(&d.Contacts[0], u.Location(), ""), B: webPersonOf(&d.Contacts[1], u.Location(), "")})
	}
	return s.render(c, status, "duplicates", p)
}

// handleWebMerge merges the contact other_id into the one in the path
// and shows the merged contact.
func (s *pages) handleWebMerge(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.CRM.MergeContacts(ctx, user(c), c.Params("id"), c.FormValue("other_id"))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return s.showDuplicates(c, fiber.StatusNotFound, "Not merged: one of the two contacts is gone.")
		}
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.Invalid {
			var why []string
			for _, f := range ae.Fields {
				why = append(why, "the "+f.Field+" together "+f.Message)
			}
			return s.showDuplicates(c, fiber.StatusUnprocessableEntity, "Not merged: "+strings.Join(why, "; ")+".")
		}
		return err
	}
	return seeNotice(c, "/app/contacts/"+url.PathEscape(ct.ID), "Merged into "+ct.Name+".")
}

// phoneChars are what a tel: link may hold.
var phoneChars = regexp.MustCompile(`^\+?[0-9 ()./-]{3,40}$`)

// handleWebContact shows one contact: how you met, notes, follow-ups, and
// one tap to email, call or open LinkedIn. Another user's id is a 404.
func (s *pages) handleWebContact(c *fiber.Ctx) error { return s.contactPage(c, fiber.StatusOK, nil) }

// contactPage is the contact's page with status, its intro form holding
// ask when an intro is asked again.
func (s *pages) contactPage(c *fiber.Ctx, status int, ask *contactAsk) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	b, err := s.CRM.Brief(ctx, u.ID, c.Params("id"))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			p := s.page(c, "Contacts", "contacts")
			p.Problem = "No such contact."
			return s.render(c, fiber.StatusNotFound, "contacts", p)
		}
		return err
	}
	ct := b.Contact
	p := s.page(c, ct.Name, "contacts")
	// One id for the page's forms that add something (see once): their
	// fields tell them apart.
	p.FormID = newFormID()
	loc := u.Location()
	wc := &webContact{ID: ct.ID, Name: ct.Name, Company: ct.Company, CompanyID: ct.CompanyID, Title: ct.Title, Notes: ct.Notes, Opening: "An opening",
		FromCard: codec.CardDetails(ct), Tags: ct.Tags, CadenceDays: ct.CadenceDays, LastContact: "never",
		KnownSince: ct.KnownSince.In(loc).Format("2 Jan 2006")}
	if added := ct.CreatedAt.In(loc).Format("2 Jan 2006"); added != wc.KnownSince {
		wc.Added = added
	}
	if b.FirstMetAt != nil {
		wc.FirstMet = b.FirstMetAt.In(loc).Format("2 Jan 2006")
	}
	gs, err := s.phoneGroups(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, g := range groupsOf(gs, ct) {
		wc.Groups = append(wc.Groups, webEvent{ID: g.DAVName, Title: g.Name})
	}
	if ct.LastContactedAt != nil {
		wc.LastContact = ct.LastContactedAt.In(loc).Format("2 Jan 2006")
	}
	if ct.Company != "" {
		wc.Opening = "An opening at " + ct.Company
	}
	if ask != nil && ask.Form == "opening" {
		wc.Opening, wc.OpeningKind = ask.Opening, ask.OpeningKind
	}
	for _, o := range b.Opportunities[:min(len(b.Opportunities), webOpportunities)] {
		wc.Opportunities = append(wc.Opportunities, webOpportunity{ID: o.ID, Title: o.Title, Stage: o.Stage})
	}
	phoneLabels, emailLabels := codec.CardLabels(ct.CardExtra)
	for _, e := range ct.Emails {
		wc.Emails = append(wc.Emails, webLink{URL: template.URL("mailto:" + url.PathEscape(e)), Text: e, Label: emailLabels[e]})
	}
	for _, ph := range ct.Phones {
		if phoneChars.MatchString(ph) { // only digits and separators reach a tel: link
			wc.Phones = append(wc.Phones, webLink{URL: telURL(ph), Text: ph, Label: phoneLabels[ph]})
		}
	}
	if li := contacts.CanonicalLinkedIn(ct.LinkedInURL); li != "" {
		wc.LinkedIn = template.URL(li)
	}
	for _, e := range b.Met { // newest first
		wc.Met = append(wc.Met, webMet{When: e.MetAt.In(loc).Format("2 Jan 2006"), Moment: strings.ToLower(momentLabel(e.Moment)),
			Topics: strings.Join(e.Topics, ", "), Notes: e.Notes, Event: e.EventTitle})
	}
	p.Person = wc
	var before *time.Time // the timeline's page
	if a := c.Query("before"); a != "" {
		if t, err := time.Parse(time.RFC3339Nano, a); err == nil {
			before = &t
		} else {
			p.Problem = "That page of the timeline is not one this page gave."
		}
	}
	desk, err := s.contactDeskOf(c, ct, before, ask)
	if err != nil {
		return err
	}
	p.Data = desk
	now := s.Now()
	metAt := map[string]*events.Event{} // the events a thank-you names, of those met at lately
	for _, m := range b.Met {
		metAt[m.EventID] = &events.Event{ID: m.EventID, Title: m.EventTitle}
	}
	for i := range b.Followups {
		f := &b.Followups[i]
		wf := webFollowup{ID: f.ID, Title: followup.Title(f, ct.Name), Note: f.Note}
		wf.Due, wf.Overdue = dueLine(f, loc, now)
		wf.writeTo(f, ct, metAt[f.EventID])
		p.Followups = append(p.Followups, wf)
	}
	if ask != nil {
		p.Problem = ask.Problem
	}
	return s.render(c, status, "contact", p)
}

// topicsSuffix is " · topic, topic" (or "").
func topicsSuffix(topics []string) string {
	if len(topics) == 0 {
		return ""
	}
	return " · " + strings.Join(topics, ", ")
}

// option is a choice of a select: what is sent and what it says.
type option struct{ Value, Label string }

// openingKinds are the kinds of opportunity (opportunities.Kinds) as the
// contact page offers them.
var openingKinds = []option{{"job", "Job"}, {"contract", "Contract"}, {"advisory", "Advisory"}, {"board", "Board seat"},
	{"speaking", "Speaking slot"}, {"other", "Other"}}

// webOpportunities is how many opportunities a contact's page lists.
const webOpportunities = 20

// handleWebOpening files "they mentioned an opening" from a contact's
// page: an opportunity (a lead) at the contact's company, sourced by the
// contact at the event where the user last met them.
func (s *pages) handleWebOpening(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	ct, err := s.routeContact(ctx, c)
	if ct == nil {
		return err
	}
	f := formOf(c, "title", "kind")
	in := opportunities.Input{Title: strings.TrimSpace(f["title"]), CompanyID: ct.CompanyID, SourceContactID: ct.ID,
		Kind: f["kind"], NextStep: "Ask " + ct.Name + " about it"}
	if in.Title == "" {
		in.Title = "An opening"
	}
	// Where you last met them (a page of their encounters from the first
	// held the earliest 200 of someone met more often).
	latest, err := s.CRM.Contacts.Store.LatestEncounters(ctx, u.ID, []string{ct.ID})
	if err != nil {
		return err
	}
	if e, ok := latest[ct.ID]; ok {
		in.SourceEventID = e.EventID
	}
	next := followup.DueAt(s.Now(), 2, u.NudgeHour, u.Location())
	in.NextStepAt = next.Format(time.RFC3339)
	return s.savedOnContact(c, ctx, "web-opening", &contactAsk{Form: "opening", Opening: f["title"], OpeningKind: f["kind"]}, func() (string, error) {
		o, err := s.CRM.CreateOpportunity(ctx, u, in)
		if err != nil {
			return "", err
		}
		return "Noted: " + o.Title + ". A reminder to follow up is set for " + next.In(u.Location()).Format("Mon 2 Jan") + ".", nil
	})
}
