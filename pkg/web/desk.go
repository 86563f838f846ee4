package web

import (
	"context"
	"errors"
	"html/template"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The desk (PRODUCT.md §10): the pages for the work after the event, one
// file per page group (people.go, events_desk.go, pipeline.go, …) with
// its templates (webui/<page>.html, parsed with the layout as they are
// found: webTemplates). What they share is here: their routes and the
// form helpers.

// registerDesk adds the desk's routes to the signed-in group.
func (s *pages) registerDesk(g fiber.Router) {
	s.registerPeople(g)
	s.registerIntros(g)
	s.registerPipeline(g)
	s.registerEvents(g)
	s.registerGuests(g)
	s.registerInsights(g)
	s.registerToday(g)
	s.registerFollowups(g)
	s.registerImports(g)
	s.registerCompanies(g)
	s.registerRecommendations(g)
	s.registerContactsTable(g)
}

// formField is one labelled input of a form (the "field" template of
// webui/forms.html): what was typed, and its error next to it.
type formField struct{ Name, Label, Type, Value, Error, Key string }

// formFuncs are the templates' helpers.
var formFuncs = template.FuncMap{
	"fieldOf": func(p webPage, name, label, typ string) formField {
		return formField{Name: name, Label: label, Type: typ, Value: p.Form[name], Error: p.Errors[name]}
	},
	"inc": func(i int) int { return i + 1 },
	// actionsOf is a pending follow-up's Write it, Done and Snooze, which
	// come back to back (followupsBack).
	"actionsOf": func(f webFollowup, csrf, back string) followupActions {
		return followupActions{ID: f.ID, WriteLinks: f.WriteLinks, CSRF: csrf, Back: back}
	},
	"kindLabel":    kindLabel,
	"openingKinds": func() []option { return openingKinds },
	"agendaDays":   func() []option { return agendaDays },
	// key gives a field a keyboard shortcut (app.js: "n" focuses it).
	"key":     func(k string, f formField) formField { f.Key = k; return f },
	"counted": words.Counted,
	"plural":  words.Plural,
}

// stamp is what an edit form carries of the stored copy it was drawn
// from (its updated_at), to be refused if the record changed since.
func stamp(t time.Time) string { return t.Format(time.RFC3339Nano) }

// changedSince reports whether the record stored at updated changed since
// the form that carries sent (its stamp) was drawn.
func changedSince(sent string, updated time.Time) bool { return sent != stamp(updated) }

// formOf reads the named fields of a posted form: cleaned as all text
// from outside is (input.CleanText: a browser sends a textarea's line
// breaks as CRLF), trimmed, copied out of Fiber's buffers (which it reuses
// after the handler returns).
func formOf(c *fiber.Ctx, names ...string) map[string]string {
	f := make(map[string]string, len(names))
	for _, n := range names {
		f[n] = input.CleanText(strings.TrimSpace(utils.CopyString(c.FormValue(n))))
	}
	return f
}

// lines splits a textarea into its non-empty lines (one email per line).
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// commaList splits "a, b,c" into its non-empty parts (tags).
func commaList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// showProblem puts a refused request's reasons on the page: each field's
// message next to its field (renamed by names, API field → form field),
// a message without fields at the top. It reports false for an error that
// is not the user's to fix (the caller returns it).
func (p *webPage) showProblem(err error, names map[string]string) bool {
	var ae *apperr.Error
	if !errors.As(err, &ae) || (ae.Kind != apperr.Invalid && ae.Kind != apperr.NotFound && ae.Kind != apperr.Conflict) {
		return false
	}
	for _, f := range ae.Fields {
		name := f.Field
		if i := strings.IndexAny(name, ".["); i > 0 {
			name = name[:i]
		}
		if n, ok := names[name]; ok {
			name = n
		}
		p.Errors[name] = f.Message
	}
	if len(ae.Fields) == 0 {
		p.Problem = ae.Public()
	}
	return true
}

// asSentences makes each field's message on p a sentence ("Must be …."),
// as the settings page shows them.
func (p *webPage) asSentences() {
	for k, m := range p.Errors {
		if m != "" {
			p.Errors[k] = strings.ToUpper(m[:1]) + m[1:] + "."
		}
	}
}

// problemLine is a refused request's reasons as one line, for a page that
// answers with a redirect carrying ?problem=: "field: message; …" (field
// names in words, in order), then a message without a field. ok is false
// for an error that is not the user's to fix (the caller returns it).
func problemLine(err error) (line string, ok bool) {
	p := webPage{Errors: map[string]string{}}
	if !p.showProblem(err, nil) {
		return "", false
	}
	fields := make([]string, 0, len(p.Errors))
	for k := range p.Errors {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	var msgs []string
	for _, k := range fields {
		msgs = append(msgs, strings.ReplaceAll(k, "_", " ")+": "+p.Errors[k])
	}
	if p.Problem != "" {
		msgs = append(msgs, p.Problem)
	}
	return strings.Join(msgs, "; "), true
}

// routeContact is the user's contact the route's :id names; nil, the 404
// page drawn, if the user has none of that id.
func (s *pages) routeContact(ctx context.Context, c *fiber.Ctx) (*contacts.Contact, error) {
	ct, err := s.CRM.Contacts.Store.Contact(ctx, user(c).ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return nil, s.notFound(c, "contact")
	}
	return ct, err
}

// namesOf reads the user's contacts of ids at once and names each by id:
// "(deleted)" for one that is gone.
func (s *pages) namesOf(ctx context.Context, userID string, ids []string) (func(id string) string, error) {
	people, err := s.CRM.Contacts.Store.ContactsByID(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	return func(id string) string {
		if ct, ok := people[id]; ok {
			return ct.Name
		}
		return "(deleted)"
	}, nil
}

// notFound is the 404 page of a record that is not the user's (or does
// not exist): the same answer for both.
func (s *pages) notFound(c *fiber.Ctx, what string) error {
	p := s.page(c, "Not found", "")
	p.Problem = "No such " + what + "."
	return s.render(c, fiber.StatusNotFound, "contacts", p)
}

// pageFrom lists the page of a list that the query parameter param asks
// for (a cursor the list gave) with list. A cursor the list did not give —
// unreadable, or another list's — is said in p.Problem, and the first page
// is listed.
func pageFrom[T any](c *fiber.Ctx, param string, p *webPage, problem string, list func(*record.Cursor) (T, error)) (T, error) {
	var cur *record.Cursor
	if a := c.Query(param); a != "" {
		var err error
		if cur, err = record.DecodeCursor(a); err != nil {
			p.Problem, cur = problem, nil
		}
	}
	out, err := list(cur)
	if cur != nil && apperr.Is(err, apperr.Invalid) {
		p.Problem = problem
		return list(nil)
	}
	return out, err
}
