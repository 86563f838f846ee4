package web

import (
	"cmp"
	"context"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/recommendations"
	"github.com/rapport-crm/rapport/pkg/record"
)

// The desk's recommendations: what people recommended to the user, newest
// first, each ticked off once read or tried, with a form to add one and a
// page to change or delete it.

func (s *pages) registerRecommendations(g fiber.Router) {
	g.Get("/recommendations", s.handleRecommendations)
	g.Post("/recommendations", s.handleRecommendationCreate)
	g.Get("/recommendations/:id", s.handleRecommendation)
	g.Post("/recommendations/:id/edit", s.handleRecommendationSave)
	g.Post("/recommendations/:id/done", s.handleRecommendationDone)
	g.Post("/recommendations/:id/delete", s.handleRecommendationDelete)
}

// recommendationsView is /app/recommendations (the list) or one
// recommendation's page (Editing).
type recommendationsView struct {
	Items []recommendations.Recommendation
	// After is the cursor of the page shown (where a tick returns), Next
	// the next page's.
	After, Next string
	Editing     *recommendations.Recommendation
}

// recommendationFields are the add and edit forms' fields.
var recommendationFields = []string{"title", "url", "by", "where", "tags", "notes", "done", "updated_at"}

func (s *pages) handleRecommendations(c *fiber.Ctx) error {
	p := s.page(c, "Recommended to you", "recommendations")
	return s.showRecommendations(c, &p, fiber.StatusOK)
}

// showRecommendations draws a page of the list (its cursor from the
// query) with the form to add one, with status.
func (s *pages) showRecommendations(c *fiber.Ctx, p *webPage, status int) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := pageFrom(c, "after", p, "That page of recommendations is not one this list gave.",
		func(cur *record.Cursor) (*record.Page[recommendations.Recommendation], error) {
			return recommendations.Kind.List(ctx, s.CRM.Docs, user(c).ID, 50, cur)
		})
	if err != nil {
		return err
	}
	p.FormID = newFormID()
	v := &recommendationsView{Items: page.Items, Next: page.NextCursor}
	if a := c.Query("after"); a != "" {
		if _, err := record.DecodeCursor(a); err == nil {
			v.After = utils.CopyString(a)
		}
	}
	p.Data = v
	return s.render(c, status, "recommendations", *p)
}

// recommendationOf is what a form says of a recommendation.
func recommendationOf(f map[string]string) *recommendations.Recommendation {
	return &recommendations.Recommendation{Title: f["title"], URL: f["url"], By: f["by"], Where: f["where"], Tags: commaList(f["tags"]),
		Notes: f["notes"], Done: f["done"] == "1"}
}

// handleRecommendationCreate adds one from the list's form; sent twice (a
// double click), it adds one. A refused one comes back with each error
// next to its field and what was typed.
func (s *pages) handleRecommendationCreate(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "Recommended to you", "recommendations")
	p.Form = formOf(c, recommendationFields...)
	r := recommendationOf(p.Form)
	err := s.once(c, ctx, u, "web-recommendation", "/app/recommendations", func() (string, string, error) {
		if err := recommendations.Kind.Create(ctx, s.CRM.Docs, u.ID, r, s.Now()); err != nil {
			return "", "", err
		}
		return "/app/recommendations", "Added " + r.Title + ".", nil
	})
	if err == nil {
		return nil
	}
	if p.showProblem(err, nil) {
		return s.showRecommendations(c, &p, fiber.StatusUnprocessableEntity)
	}
	return err
}

// withRecommendation runs fn with the user's recommendation the path
// names, or answers 404.
func (s *pages) withRecommendation(c *fiber.Ctx, fn func(ctx context.Context, r *recommendations.Recommendation) error) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	r, err := recommendations.Kind.Get(ctx, s.CRM.Docs, user(c).ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "recommendation")
	} else if err != nil {
		return err
	}
	return fn(ctx, r)
}

func (s *pages) handleRecommendation(c *fiber.Ctx) error {
	return s.withRecommendation(c, func(_ context.Context, r *recommendations.Recommendation) error {
		p := s.page(c, r.Title, "recommendations")
		p.Form = map[string]string{"title": r.Title, "url": r.URL, "by": r.By, "where": r.Where, "tags": strings.Join(r.Tags, ", "),
			"notes": r.Notes, "updated_at": stamp(r.UpdatedAt)}
		if r.Done {
			p.Form["done"] = "1"
		}
		p.Data = &recommendationsView{Editing: r}
		return s.render(c, fiber.StatusOK, "recommendations", p)
	})
}

// handleRecommendationSave saves the edit form, unless the recommendation
// changed since the form was drawn.
func (s *pages) handleRecommendationSave(c *fiber.Ctx) error {
	return s.withRecommendation(c, func(ctx context.Context, old *recommendations.Recommendation) error {
		p := s.page(c, old.Title, "recommendations")
		p.Form = formOf(c, recommendationFields...)
		p.Data = &recommendationsView{Editing: old}
		if changedSince(p.Form["updated_at"], old.UpdatedAt) {
			p.Problem = "Not saved: " + old.Title + " was changed elsewhere since you opened this page (another tab, the API). " +
				"Your text is kept below; open it again to see what is stored, or save again to replace it."
			p.Form["updated_at"] = stamp(old.UpdatedAt)
			return s.render(c, fiber.StatusConflict, "recommendations", p)
		}
		r := recommendationOf(p.Form)
		r.Meta = old.Meta
		if err := recommendations.Kind.Save(ctx, s.CRM.Docs, user(c).ID, r, s.Now()); err != nil {
			if !p.showProblem(err, nil) {
				return err
			}
			return s.render(c, fiber.StatusUnprocessableEntity, "recommendations", p)
		}
		return seeNotice(c, "/app/recommendations", "Saved "+r.Title+".")
	})
}

// handleRecommendationDone ticks one off (done=1) or back on the list.
func (s *pages) handleRecommendationDone(c *fiber.Ctx) error {
	return s.withRecommendation(c, func(ctx context.Context, r *recommendations.Recommendation) error {
		r.Done = formOf(c, "done")["done"] == "1"
		if err := recommendations.Kind.Save(ctx, s.CRM.Docs, user(c).ID, r, s.Now()); err != nil {
			return err
		}
		back := "/app/recommendations"
		if after := c.Query("after"); after != "" {
			back += "?after=" + url.QueryEscape(after)
		}
		if r.Done {
			return seeNotice(c, back, "Done: "+r.Title+". Tell "+cmp.Or(r.By, "whoever recommended it")+" what you made of it?")
		}
		return seeNotice(c, back, r.Title+" is to do again.")
	})
}

// handleRecommendationDelete deletes one, once its form's box is ticked.
func (s *pages) handleRecommendationDelete(c *fiber.Ctx) error {
	return s.withRecommendation(c, func(ctx context.Context, r *recommendations.Recommendation) error {
		if formOf(c, "sure")["sure"] != "1" {
			return seeProblem(c, "/app/recommendations/"+url.PathEscape(r.ID), "Tick the box to delete "+r.Title+".")
		}
		if err := recommendations.Kind.Delete(ctx, s.CRM.Docs, user(c).ID, r.ID); err != nil {
			return err
		}
		return seeNotice(c, "/app/recommendations", "Deleted "+r.Title+".")
	})
}
