package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The desk's contacts table (PRODUCT.md §10), on /app/contacts when no
// search is typed: filters (tag, company, met at an event and when in it,
// last contact before / after, a pending follow-up), sorting (name, last
// contact, known since) and bulk actions (add or remove a tag, delete —
// asked first).
//
// The filters that name a set of contacts (company, event, follow-ups)
// are read first, at most filterSet contacts each, and the list is those;
// the others are the store's (tag) or checked on the rows (last contact).

func (s *pages) registerContactsTable(g fiber.Router) {
	g.Post("/contacts/bulk", s.handleContactsBulk)
	g.Get("/contacts/:id/delete", s.handleContactDeleteAsk)
}

// Bounds of the table.
const (
	tableRows = 50
	filterSet = 500
	// scanLimit bounds the contacts one page reads when rows are checked
	// here (last contact before / after); the next page reads on.
	scanLimit = 2000
)

// contactsTable is the table's view.
type contactsTable struct {
	Rows   []tableRow
	Next   string
	Events []webEvent
	// Companies are the first companies by name, offered as the company
	// filter is typed; CompanyName is the filter's company as shown.
	Companies   []webEvent
	CompanyName string
	// Groups are the phone's group cards (ID their resource name).
	Groups  []webEvent
	Moments []webMoment
	Sorted  string // how the rows are sorted, in words
	Partial bool   // the page stopped looking before it was full
	// Capped says a filter names more people than the table looks at
	// (filterSet): the first of them are listed.
	Capped bool
	// Filtered is whether a filter narrows the rows (an empty table then
	// says nobody matches, else that there is nobody yet).
	Filtered bool
}

type tableRow struct {
	ID, Name, Company, Last, Since string
	// Tags each link to the table filtered by it.
	Tags []string
}

// tableFilters are the table's query parameters.
var tableFilters = []string{"tag", "company", "event", "moment", "followup", "before", "after", "sort", "group"}

func (s *pages) contactsTable(c *fiber.Ctx, p *webPage) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	loc := u.Location()
	v := &contactsTable{Moments: webMoments}
	for _, k := range tableFilters {
		p.Form[k] = strings.TrimSpace(c.Query(k))
		v.Filtered = v.Filtered || (k != "sort" && p.Form[k] != "")
	}
	p.Data = v
	filters := maps.Clone(p.Form)
	if co := p.Form["company"]; co != "" {
		id, name, err := s.tableCompany(ctx, u.ID, co)
		if err != nil {
			return err
		}
		v.CompanyName = name
		if id == "" {
			p.Errors["company"] = "no company of yours is named “" + co + "”"
			return s.tableChoices(ctx, u.ID, loc, v) // nobody, rather than everybody
		}
		filters["company"] = id
	}
	ids, capped, err := s.tableIDs(ctx, u.ID, filters)
	if err != nil {
		return err
	}
	v.Capped = capped
	keep := lastContactBetween(p, loc)
	sorts := map[string]string{"": contacts.SortName, "name": contacts.SortName, "last": contacts.SortLast, "since": contacts.SortSince}
	sortBy, ok := sorts[p.Form["sort"]]
	if !ok {
		p.Errors["sort"] = "is one of name, last and since"
		sortBy = contacts.SortName
	}
	f := contacts.Filter{Tag: p.Form["tag"], IDs: ids, Limit: tableRows, Sort: sortBy}
	if a := c.Query("page"); a != "" {
		cur, err := record.DecodeCursor(a)
		if err != nil {
			p.Problem = "That page of contacts is not one this table gave."
			return nil
		}
		f.Cursor = cur
	}
	rows, err := s.tablePage(ctx, u.ID, f, keep, v)
	if apperr.Is(err, apperr.Invalid) {
		p.Problem = "That page of contacts is not one this table gave."
		return nil
	}
	if err != nil {
		return err
	}
	v.Sorted = map[string]string{contacts.SortName: "by name", contacts.SortLast: "by last contact, latest first",
		contacts.SortSince: "by known since, longest first"}[sortBy]
	for _, ct := range rows {
		r := tableRow{ID: ct.ID, Name: ct.Name, Company: ct.Company, Tags: ct.Tags, Since: ct.KnownSince.In(loc).Format("2 Jan 2006"), Last: "never"}
		if ct.LastContactedAt != nil {
			r.Last = ct.LastContactedAt.In(loc).Format("2 Jan 2006")
		}
		v.Rows = append(v.Rows, r)
	}
	return s.tableChoices(ctx, u.ID, loc, v)
}

// tableCompany is the company the table's filter names, by its id (a
// link) or its name as typed, in any spelling companies.NameKey folds
// ("acme" is ACME Inc.), with its name to show; id is "" when none of the
// user's companies is meant. The filter was a list of the first 200
// companies by name, and the others could not be picked.
func (s *pages) tableCompany(ctx context.Context, userID, text string) (id, name string, err error) {
	co, err := s.CRM.Companies.Store.Company(ctx, userID, text)
	switch {
	case err == nil:
		return co.ID, co.Name, nil
	case !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Invalid):
		return "", "", err
	}
	ids, err := s.CRM.Companies.Find(ctx, userID, []string{text})
	if err != nil {
		return "", "", err
	}
	return ids[text], text, nil
}

// tableIDs returns the contacts the company, event (and moment),
// follow-up and phone group filters of form allow, each narrowing the
// last; nil when none is set. capped says a filter's set was cut at
// filterSet.
func (s *pages) tableIDs(ctx context.Context, userID string, form map[string]string) (ids []string, capped bool, err error) {
	narrow := func(set []string) {
		if ids == nil {
			ids = set
			return
		}
		in := map[string]bool{}
		for _, id := range set {
			in[id] = true
		}
		var both []string
		for _, id := range ids {
			if in[id] {
				both = append(both, id)
			}
		}
		ids = append([]string{}, both...)
	}
	// Each set is read page by page, up to filterSet: a page was all that
	// was read, and the store gives at most 200 (the SQLite store gave 50
	// for a limit over that: the table filtered by an event where you met
	// 60 people listed 50).
	if co := form["company"]; co != "" {
		set := []string{}
		err = record.EachPage(func(cur *record.Cursor) (*record.Page[contacts.Contact], error) {
			return s.CRM.Contacts.Store.ContactsAtCompany(ctx, userID, co, cur, record.MaxLimit)
		}, func(cs []contacts.Contact) bool {
			for _, ct := range cs {
				set = append(set, ct.ID)
			}
			return len(set) < filterSet
		})
		if err != nil {
			return nil, false, err
		}
		capped = capped || len(set) >= filterSet
		narrow(set)
	}
	if ev := form["event"]; ev != "" {
		set, read := []string{}, 0
		err = record.EachPage(func(cur *record.Cursor) (*record.Page[contacts.Encounter], error) {
			return s.CRM.Contacts.Store.Encounters(ctx, userID, contacts.EncounterFilter{EventID: ev, Limit: record.MaxLimit, Cursor: cur})
		}, func(encs []contacts.Encounter) bool {
			for _, e := range encs {
				if form["moment"] == "" || e.Moment == form["moment"] {
					set = append(set, e.ContactID)
				}
			}
			read += len(encs)
			return read < filterSet
		})
		if err != nil {
			return nil, false, err
		}
		capped = capped || read >= filterSet
		narrow(set)
	}
	if g := form["group"]; g != "" {
		set, err := s.groupMembers(ctx, userID, g)
		if err != nil {
			return nil, false, err
		}
		narrow(set)
	}
	if form["followup"] == "pending" {
		fs, err := s.CRM.Followups.Store.Pending(ctx, userID, followup.PendingFilter{Limit: filterSet + 1})
		if err != nil {
			return nil, false, err
		}
		capped = capped || len(fs) > filterSet
		set := []string{}
		for _, f := range fs[:min(len(fs), filterSet)] {
			set = append(set, f.ContactID)
		}
		narrow(set)
	}
	return ids, capped, nil
}

// lastContactBetween reads the before and after dates of the form (a bad
// one is a field error, and ignored) and returns whether a contact's last
// contact falls between them; never contacted is before any date.
func lastContactBetween(p *webPage, loc *time.Location) func(*contacts.Contact) bool {
	var before, after *time.Time
	for _, b := range []struct {
		name string
		into **time.Time
	}{{"before", &before}, {"after", &after}} {
		if v := p.Form[b.name]; v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, loc)
			if err != nil {
				p.Errors[b.name] = "must be a date such as 2026-11-24"
				continue
			}
			*b.into = &t
		}
	}
	return func(ct *contacts.Contact) bool {
		if before == nil && after == nil {
			return true
		}
		if ct.LastContactedAt == nil {
			return after == nil
		}
		return (before == nil || ct.LastContactedAt.Before(*before)) && (after == nil || !ct.LastContactedAt.Before(*after))
	}
}

// tablePage reads the table's rows from f on: every order is the store's,
// a page at a time; only the last-contact dates are checked here (keep),
// so a page may take several reads, at most scanLimit contacts. It sets
// v.Next (and v.Partial when it stopped looking).
func (s *pages) tablePage(ctx context.Context, userID string, f contacts.Filter, keep func(*contacts.Contact) bool, v *contactsTable) ([]contacts.Contact, error) {
	var rows []contacts.Contact
	scanned := 0
	for {
		page, err := s.CRM.Contacts.Store.Contacts(ctx, userID, f)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			if keep(&page.Items[i]) {
				rows = append(rows, page.Items[i])
			}
		}
		scanned += len(page.Items)
		switch {
		case page.NextCursor == "":
			return rows, nil
		case len(rows) >= tableRows:
			v.Next = page.NextCursor
			return rows, nil
		case scanned >= scanLimit:
			v.Next, v.Partial = page.NextCursor, true
			return rows, nil
		}
		if f.Cursor, err = record.DecodeCursor(page.NextCursor); err != nil {
			return nil, err
		}
	}
}

// tableChoices fills the choices of the event and company filters:
// the latest events where the user met someone (a followed calendar's
// others crowded them out of the latest 100), the first companies by
// name.
func (s *pages) tableChoices(ctx context.Context, userID string, loc *time.Location, v *contactsTable) error {
	evs, err := s.CRM.LatestEventsMetAt(ctx, userID, s.Now().Add(24*time.Hour), 100)
	if err != nil {
		return err
	}
	for _, e := range evs {
		v.Events = append(v.Events, webEvent{ID: e.ID, Title: e.Title, When: e.StartsAt.In(loc).Format("2 Jan 2006")})
	}
	cos, err := s.CRM.Companies.Store.Companies(ctx, userID, companies.Query{Limit: 200})
	if err != nil {
		return err
	}
	for _, co := range cos.Items {
		v.Companies = append(v.Companies, webEvent{ID: co.ID, Title: co.Name})
	}
	gs, err := s.CRM.Contacts.Store.CardGroupEntries(ctx, userID) // their names, not their cards
	if err != nil {
		return err
	}
	for _, g := range gs {
		v.Groups = append(v.Groups, webEvent{ID: g.DAVName, Title: g.Name})
	}
	return nil
}

// handleContactsBulk adds or removes a tag on the checked contacts, or
// deletes them — after a page that names them and asks.
func (s *pages) handleContactsBulk(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	f := formOf(c, "action", "tag", "confirm")
	var ids []string
	for _, id := range c.Request().PostArgs().PeekMulti("ids") {
		ids = append(ids, string(id))
	}
	back := func(kind, msg string) error {
		return c.Redirect(flashURL(c, "/app/contacts", kind, msg), fiber.StatusSeeOther)
	}
	if len(ids) == 0 {
		return back("problem", "Tick the contacts first.")
	}
	if len(ids) > tableRows*4 {
		return back("problem", fmt.Sprintf("At most %d contacts at once.", tableRows*4))
	}
	ids = record.Distinct(ids) // a contact ticked twice is acted on once
	people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return err
	}
	if len(people) != len(ids) {
		return s.notFound(c, "contact") // one of them is not the user's (or is gone)
	}
	switch f["action"] {
	case "add_tag", "remove_tag":
		if f["tag"] == "" {
			return back("problem", "Name the tag.")
		}
		// All of them or none: a contact that holds the most tags already
		// refuses the lot, before any is written.
		if _, err := s.CRM.TagContacts(ctx, u, ids, f["tag"], f["action"] == "add_tag"); err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.Invalid {
				return err
			}
			msg := ae.Public()
			if len(ae.Fields) > 0 {
				msg = ae.Fields[0].Message // "Max has 50 tags already, …"
				if strings.HasPrefix(ae.Fields[0].Field, "tags[") {
					msg = "the tag " + msg // "is 70 characters long; at most 64"
				}
			}
			return back("problem", "Not tagged: "+msg+".")
		}
		verb := "Tagged"
		if f["action"] == "remove_tag" {
			verb = "Untagged"
		}
		return back("notice", fmt.Sprintf("%s %s “%s”.", verb, words.Counted(len(people), "contact"), f["tag"]))
	case "delete":
		if f["confirm"] != "yes" {
			p := s.page(c, "Delete contacts?", "contacts")
			var names []webPerson
			for _, id := range ids {
				names = append(names, webPerson{ID: id, Name: people[id].Name})
			}
			p.Data = &bulkConfirm{People: names, Back: "/app/contacts"}
			return s.render(c, 200, "contacts_delete", p)
		}
		// One unit of work: all of them with their history, or none.
		n, err := s.CRM.DeleteContacts(ctx, u.ID, ids)
		if err != nil {
			return err
		}
		if n == 1 && len(ids) == 1 {
			return back("notice", fmt.Sprintf("Deleted %s.", people[ids[0]].Name))
		}
		return back("notice", "Deleted "+words.Counted(n, "contact")+".")
	}
	return back("problem", "Pick what to do with them.")
}

// bulkConfirm is the page that asks before a bulk delete; Back is where
// keeping them goes (the list, or the one contact's page).
type bulkConfirm struct {
	People []webPerson
	Back   string
}

// handleContactDeleteAsk asks before deleting one contact, from its page:
// the bulk delete's confirmation, of one.
func (s *pages) handleContactDeleteAsk(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	ct, err := s.routeContact(ctx, c)
	if ct == nil {
		return err
	}
	p := s.page(c, "Delete "+ct.Name+"?", "contacts")
	p.Data = &bulkConfirm{People: []webPerson{{ID: ct.ID, Name: ct.Name}}, Back: "/app/contacts/" + ct.ID}
	return s.render(c, 200, "contacts_delete", p)
}
