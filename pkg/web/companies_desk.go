package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// The desk's companies (PRODUCT.md §10): the list (search, pages), and a
// company's page — the people there and how you met them, the warm paths
// in, its opportunities.

func (s *pages) registerCompanies(g fiber.Router) {
	g.Get("/companies", s.handleCompanies)
	g.Post("/companies", s.handleCompanyCreate)
	g.Get("/companies/:id", s.handleCompany)
	g.Post("/companies/:id/edit", s.handleCompanySave)
	g.Post("/companies/:id/delete", s.handleCompanyDelete)
}

// companiesView is /app/companies; Existing is the company that already
// has a new one's name or domain.
type companiesView struct {
	Companies []companyRow
	Next      string
	Existing  *companies.Company
}

type companyRow struct{ ID, Name, Domain, Tags string }

func (s *pages) handleCompanies(c *fiber.Ctx) error {
	p := s.page(c, "Companies", "companies")
	return s.showCompanies(c, &p, &companiesView{}, fiber.StatusOK)
}

// showCompanies draws the list (its search and cursor from the query) with
// the new company's form, with status.
func (s *pages) showCompanies(c *fiber.Ctx, p *webPage, v *companiesView, status int) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p.FormID = newFormID()
	p.Form["q"] = strings.TrimSpace(c.Query("q"))
	q := companies.Query{Q: p.Form["q"], Limit: 50}
	if after := c.Query("after"); after != "" {
		cur, err := record.DecodeCursor(after)
		if err != nil {
			p.Problem = "That page of companies is not one this list gave."
			return s.render(c, fiber.StatusUnprocessableEntity, "companies", *p)
		}
		q.Cursor = cur
	}
	page, err := s.CRM.Companies.Store.Companies(ctx, u.ID, q)
	if err != nil {
		if p.showProblem(err, nil) {
			return s.render(c, fiber.StatusUnprocessableEntity, "companies", *p)
		}
		return err
	}
	v.Next = page.NextCursor
	for _, co := range page.Items {
		v.Companies = append(v.Companies, companyRow{ID: co.ID, Name: co.Name, Domain: co.Domain, Tags: strings.Join(co.Tags, ", ")})
	}
	p.Data = v
	return s.render(c, status, "companies", *p)
}

// handleCompanyCreate adds a company from the companies page and opens
// it; sent twice (a double click), it adds one. A name or domain another
// company has comes back with a link to that company, what was typed
// kept.
func (s *pages) handleCompanyCreate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "Companies", "companies")
	p.Form = formOf(c, companyFields...)
	in := companies.Input{Name: p.Form["name"], Domain: p.Form["domain"], URL: p.Form["url"], Tags: commaList(p.Form["tags"]), Notes: p.Form["notes"]}
	err := s.once(c, ctx, u, "web-company", "/app/companies", func() (string, string, error) {
		co, err := s.CRM.Companies.Create(ctx, u.ID, in)
		if err != nil {
			return "", "", err
		}
		return "/app/companies/" + url.PathEscape(co.ID), "Added " + co.Name + ".", nil
	})
	v := &companiesView{}
	if err == nil {
		return nil
	}
	if id, problem, ok := duplicated(err); ok {
		if v.Existing, err = s.CRM.Companies.Store.Company(ctx, u.ID, id); err != nil {
			return err
		}
		p.Problem = problem
		return s.showCompanies(c, &p, v, fiber.StatusConflict)
	}
	if p.showProblem(err, nil) {
		return s.showCompanies(c, &p, v, fiber.StatusUnprocessableEntity)
	}
	return err
}

// companyView is a company's page.
type companyView struct {
	ID, Name, Domain, Notes, Tags string
	People                        []companyPerson
	// MorePeople is the cursor of the next page of the people there.
	MorePeople    string
	Paths         []warmPathRow
	Opportunities []pipelineCard
}

// companyPeoplePage is how many of the people at a company its page lists
// at a time: a big employer's former colleagues, imported from LinkedIn,
// run to hundreds.
const companyPeoplePage = 200

type companyPerson struct {
	ID, Name, Title string
	Met             []string
}

type warmPathRow struct {
	ID, Name string
	Score    int
	Via      []string
}

// companyFields are the company's edit form's fields.
var companyFields = []string{"name", "domain", "url", "tags", "notes", "updated_at"}

func (s *pages) handleCompany(c *fiber.Ctx) error {
	return s.withCompany(c, func(_ context.Context, co *companies.Company) error {
		p := s.page(c, co.Name, "companies")
		p.Form = map[string]string{"name": co.Name, "domain": co.Domain, "url": co.URL, "tags": strings.Join(co.Tags, ", "), "notes": co.Notes,
			"updated_at": stamp(co.UpdatedAt)}
		return s.renderCompany(c, &p, co, fiber.StatusOK)
	})
}

// withCompany runs fn with the user's company the path names, or answers
// 404.
func (s *pages) withCompany(c *fiber.Ctx, fn func(ctx context.Context, co *companies.Company) error) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	co, err := s.CRM.Companies.Store.Company(ctx, user(c).ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "company")
	} else if err != nil {
		return err
	}
	return fn(ctx, co)
}

// handleCompanySave saves the company's edit form (name, domain, website,
// tags, notes) as PATCH /v1/companies/{id} does, unless the company changed
// since the form was drawn; a refused one comes back with each error next
// to its field and what was typed.
func (s *pages) handleCompanySave(c *fiber.Ctx) error {
	return s.withCompany(c, func(ctx context.Context, co *companies.Company) error {
		p := s.page(c, co.Name, "companies")
		p.Form = formOf(c, companyFields...)
		if changedSince(p.Form["updated_at"], co.UpdatedAt) {
			p.Problem = "Not saved: " + co.Name + " was changed elsewhere since you opened this page (another tab, the API). " +
				"Your text is kept below; open the company again to see what is stored, or save again to replace it."
			p.Form["updated_at"] = stamp(co.UpdatedAt)
			return s.renderCompany(c, &p, co, fiber.StatusConflict)
		}
		patch, _ := json.Marshal(map[string]any{"name": p.Form["name"], "domain": p.Form["domain"], "url": p.Form["url"],
			"tags": commaList(p.Form["tags"]), "notes": p.Form["notes"]})
		saved, err := s.CRM.Companies.Update(ctx, user(c).ID, co.ID, patch)
		if err != nil {
			if !p.showProblem(err, nil) {
				return err
			}
			return s.renderCompany(c, &p, co, fiber.StatusUnprocessableEntity)
		}
		return seeNotice(c, "/app/companies/"+url.PathEscape(co.ID), "Saved "+saved.Name+".")
	})
}

// handleCompanyDelete deletes a company, once its form's box is ticked:
// the people there stay, without the link.
func (s *pages) handleCompanyDelete(c *fiber.Ctx) error {
	return s.withCompany(c, func(ctx context.Context, co *companies.Company) error {
		if formOf(c, "sure")["sure"] != "1" {
			return seeProblem(c, "/app/companies/"+url.PathEscape(co.ID), "Tick the box to delete "+co.Name+".")
		}
		if err := s.CRM.DeleteCompany(ctx, user(c).ID, co.ID); err != nil {
			return err
		}
		return seeNotice(c, "/app/companies", "Deleted "+co.Name+"; the people there stay.")
	})
}

// renderCompany renders co's page on p with status.
func (s *pages) renderCompany(c *fiber.Ctx, p *webPage, co *companies.Company, status int) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	loc := u.Location()
	v := &companyView{ID: co.ID, Name: co.Name, Domain: co.Domain, Notes: co.Notes, Tags: strings.Join(co.Tags, ", ")}
	people, err := pageFrom(c, "page", p, "That page of the people there is not one this page gave.",
		func(cur *record.Cursor) (*record.Page[crm.Person], error) {
			return s.CRM.CompanyPeople(ctx, u.ID, co.ID, cur, companyPeoplePage)
		})
	if err != nil {
		return err
	}
	v.MorePeople = people.NextCursor
	for _, pe := range people.Items {
		row := companyPerson{ID: pe.Contact.ID, Name: pe.Contact.Name, Title: pe.Contact.Title}
		for _, m := range pe.Met {
			row.Met = append(row.Met, m.MetAt.In(loc).Format("2 Jan 2006")+" at "+m.EventTitle)
		}
		v.People = append(v.People, row)
	}
	paths, err := s.CRM.WarmPaths(ctx, u.ID, co.ID)
	if err != nil {
		return err
	}
	for _, wp := range paths {
		if wp.WorksThere {
			continue // listed above, as the people there
		}
		row := warmPathRow{ID: wp.Contact.ID, Name: wp.Contact.Name, Score: wp.Score}
		for _, l := range wp.Via {
			switch l.How {
			case "introduced":
				row.Via = append(row.Via, "you introduced them to "+l.Name)
			case "met_at_event":
				row.Via = append(row.Via, "you met them and "+l.Name+" at "+l.EventTitle)
			default:
				row.Via = append(row.Via, l.Name)
			}
		}
		v.Paths = append(v.Paths, row)
	}
	opps, err := s.CRM.Opportunities.Opportunities(ctx, u.ID, opportunities.Query{CompanyID: co.ID, Limit: 50})
	if err != nil {
		return err
	}
	for _, o := range opps.Items {
		v.Opportunities = append(v.Opportunities, pipelineCard{ID: o.ID, Title: o.Title, Stage: o.Stage, Kind: o.Kind})
	}
	p.Data = v
	return s.render(c, status, "company", *p)
}
