package web

import (
	"net/url"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// The desk's intros page: the intros you made, with their status and
// outcome, both changeable (PRODUCT.md §10).

func (s *pages) registerIntros(g fiber.Router) {
	g.Get("/intros", s.handleIntros)
	g.Post("/intros/:id", s.handleIntroMove)
}

// introLine is one intro on the intros page.
type introLine struct {
	ID, A, AID, B, BID, Status, Outcome, Context, When string
	Moves                                              []string
	// Picked is the status a refused form sent (empty: the intro's own);
	// Problem why it was refused; UpdatedAt the stored copy the form was
	// drawn from.
	Picked, Problem, UpdatedAt string
}

// introsView is the intros page.
type introsView struct {
	Intros []introLine
	Page   string // the cursor of this page (empty: the first), which each form carries
	Next   string // the cursor of the next (older) page
}

// introMove is an intro's form as it was sent, refused.
type introMove struct{ ID, Status, Outcome, Problem string }

// introsPage is how many intros the list shows at once.
const introsPage = 50

func (s *pages) handleIntros(c *fiber.Ctx) error { return s.showIntros(c, c.Query("page"), nil, 200) }

// showIntros draws the page of intros at cursor a (empty: the newest)
// with status; with moved, the form of that intro as it was sent, and its
// problem.
func (s *pages) showIntros(c *fiber.Ctx, a string, moved *introMove, status int) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "Intros", "intros")
	f := contacts.IntroFilter{Limit: introsPage, NewestFirst: true}
	if a != "" {
		cur, err := record.DecodeCursor(a)
		if err != nil {
			p.Problem = "That page of intros is not one this list gave."
			return s.render(c, 200, "intros", p)
		}
		f.Cursor = cur
	}
	page, err := s.CRM.Contacts.Store.Intros(ctx, u.ID, f)
	if apperr.Is(err, apperr.Invalid) {
		p.Problem = "That page of intros is not one this list gave."
		return s.render(c, 200, "intros", p)
	}
	if err != nil {
		return err
	}
	var ids []string
	for _, it := range page.Items {
		ids = append(ids, it.ContactIDs...)
	}
	name, err := s.namesOf(ctx, u.ID, ids)
	if err != nil {
		return err
	}
	view := &introsView{Page: a, Next: page.NextCursor}
	for _, it := range page.Items {
		l := introLine{ID: it.ID, AID: it.ContactIDs[0], BID: it.ContactIDs[1], A: name(it.ContactIDs[0]), B: name(it.ContactIDs[1]),
			Status: it.Status, Outcome: it.Outcome, Context: it.Context, When: it.CreatedAt.In(u.Location()).Format("2 Jan 2006"),
			UpdatedAt: stamp(it.UpdatedAt)}
		for _, st := range []string{contacts.IntroProposed, contacts.IntroAccepted, contacts.IntroMade, contacts.IntroDeclined} {
			if contacts.CanMove(it.Status, st) {
				l.Moves = append(l.Moves, st)
			}
		}
		if moved != nil && moved.ID == it.ID {
			l.Outcome, l.Problem = moved.Outcome, moved.Problem
			if slices.Contains(l.Moves, moved.Status) { // one it cannot take keeps its own
				l.Picked = moved.Status
			}
		}
		view.Intros = append(view.Intros, l)
	}
	p.Data = view
	if moved != nil {
		p.Problem = moved.Problem
	}
	return s.render(c, status, "intros", p)
}

// handleIntroMove changes an intro's status and outcome.
func (s *pages) handleIntroMove(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	f := formOf(c, "status", "outcome", "page", "updated_at")
	outcome := f["outcome"]
	moved := &introMove{ID: c.Params("id"), Status: f["status"], Outcome: outcome}
	it, err := s.CRM.Contacts.Store.Intro(ctx, user(c).ID, moved.ID)
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "intro")
	} else if err != nil {
		return err
	}
	if changedSince(f["updated_at"], it.UpdatedAt) {
		moved.Problem = "Not saved: the intro was changed elsewhere since you opened this page (another tab, an assistant, the API). " +
			"What you typed is kept on its line; save again to replace what is stored."
		return s.showIntros(c, f["page"], moved, fiber.StatusConflict)
	}
	_, err = s.CRM.MoveIntro(ctx, user(c), it.ID, contacts.IntroPatch{Status: f["status"], Outcome: &outcome})
	if apperr.Is(err, apperr.NotFound) && len(apperr.FieldsOf(err)) == 0 {
		return s.notFound(c, "intro")
	}
	if err != nil {
		line, ok := problemLine(err)
		if !ok {
			return err
		}
		moved.Problem = "Not saved: " + line
		return s.showIntros(c, f["page"], moved, fiber.StatusUnprocessableEntity)
	}
	return seeNotice(c, "/app/intros#i-"+url.PathEscape(c.Params("id")), "Intro updated.")
}
