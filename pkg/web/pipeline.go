package web

import (
	"context"
	"encoding/json"
	"html"
	"html/template"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// The pipeline (PRODUCT.md §10): opportunities as columns by stage. A card
// moves by its form (pipeline.js adds drag and drop, which posts the same
// form); a new opportunity picks its company, source contact, source event
// and recruiters by name.

func (s *pages) registerPipeline(g fiber.Router) {
	g.Get("/pipeline", s.handlePipeline)
	g.Post("/pipeline", s.handleOpportunityNew)
	g.Post("/pipeline/:id/stage", s.handleOpportunityMove)
	g.Post("/pipeline/:id/edit", s.handleOpportunityEdit)
	g.Post("/pipeline/:id/delete", s.handleOpportunityDelete)
}

// How many cards a column shows: the open stages more, the closed ones
// (accepted, declined, lost) their latest.
const pipelinePerStage, pipelineClosed = 50, 20

// stageOptions are the <option>s of the stage picker with each stage
// selected, written once: a board of 260 cards drew 1,800 options through
// the template, a third of the page's time.
var stageOptions = func() map[string]template.HTML {
	out := map[string]template.HTML{}
	for _, picked := range opportunities.Stages {
		var b strings.Builder
		for _, st := range opportunities.Stages {
			v := html.EscapeString(st)
			b.WriteString(`<option value="` + v + `"`)
			if st == picked {
				b.WriteString(" selected")
			}
			b.WriteString(">" + v + "</option>")
		}
		out[picked] = template.HTML(b.String()) // the stages are constants, escaped above
	}
	return out
}()

// cardView is what the "card" template of pipeline.html draws a card of
// the board from: the card, the page's form token and its stage picker's
// options.
type cardView struct {
	Card    pipelineCard
	CSRF    string
	Options template.HTML
}

// pipelineCards keeps the board's cards as drawn (fragments): through the
// template a card took about 100 µs, a full board of 260 cards 25 ms, half
// the page's time.
var pipelineCards = newFragments(webTemplates["pipeline"], "card", cardView{}, 8<<20)

// Drawn is card c as the "card" template draws it on a page whose form
// token is csrf: from memory when the same card was drawn for it before.
func (v *pipelineView) Drawn(c pipelineCard, csrf string) (template.HTML, error) {
	return pipelineCards.draw(cardView{Card: c, CSRF: csrf, Options: v.StageOptions[c.Stage]})
}

// How many events "where you heard of it" offers: of those the user went
// to, and of the others.
const pipelineEvents, pipelineOthers = 50, 20

// pipelineView is the pipeline page.
type pipelineView struct {
	Columns []pipelineColumn
	// Stage is the one stage shown, paged (?stage=&page=), else "".
	Stage string
	Kinds []string
	// StageOptions are the options of a card's stage picker, by the card's
	// stage (stageOptions).
	StageOptions map[string]template.HTML
	// Events are "where you heard of it": the latest the user went to, then
	// Others, the latest of the rest (a followed calendar's evenings).
	Events, Others []webEvent
}

type pipelineColumn struct {
	Stage string
	Cards []pipelineCard
	Next  string // the cursor of the stage's next cards, if any
}

type pipelineCard struct {
	ID, Title, Kind, Stage, Company, Source, SourceID, Event, NextStep string
	History                                                            []string
	// NextStepAt (when the next step is due, for its datetime-local field,
	// and in words) and Notes fill the card's edit form, with UpdatedAt
	// (the stored copy the form was drawn from); Open opens the form (what
	// was typed in it came back refused).
	NextStepAt, NextStepWhen, Notes, UpdatedAt string
	Open                                       bool
	// Closed is an opportunity that ended (accepted, declined, lost): its
	// next step is no longer shown, as its follow-up is cancelled.
	Closed bool
	// Recruiters are the recruiters named, each a link to their page.
	Recruiters []webEvent
}

func (s *pages) handlePipeline(c *fiber.Ctx) error {
	p := s.page(c, "Pipeline", "pipeline")
	if err := s.pipeline(c, &p); err != nil {
		return err
	}
	return s.render(c, 200, "pipeline", p)
}

// pipeline fills the page's columns and the new opportunity form's lists
// and one-time id.
func (s *pages) pipeline(c *fiber.Ctx, p *webPage) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p.FormID = newFormID()
	loc := u.Location()
	view := &pipelineView{Kinds: opportunities.Kinds, StageOptions: stageOptions}
	// The board shows each stage's first cards; a stage's "more" link
	// shows that stage alone, a page at a time.
	stages := opportunities.Stages
	if st := c.Query("stage"); st != "" && slices.Contains(opportunities.Stages, st) {
		stages, view.Stage = []string{st}, st
	}
	var all []opportunities.Opportunity
	for _, st := range stages {
		limit := pipelinePerStage
		if opportunities.Closed(st) && view.Stage == "" {
			limit = pipelineClosed
		}
		list := func(cur *record.Cursor) (*record.Page[opportunities.Opportunity], error) {
			return s.CRM.Opportunities.Opportunities(ctx, u.ID, opportunities.Query{Stage: st, Limit: limit, Cursor: cur})
		}
		var page *record.Page[opportunities.Opportunity]
		var err error
		if view.Stage != "" { // one stage, paged
			page, err = pageFrom(c, "page", p, "That page of the pipeline is not one this page gave.", list)
		} else {
			page, err = list(nil)
		}
		if err != nil {
			return err
		}
		all = append(all, page.Items...)
		view.Columns = append(view.Columns, pipelineColumn{Stage: st, Next: page.NextCursor})
	}
	var companyIDs, contactIDs, eventIDs []string
	for _, o := range all {
		companyIDs = append(companyIDs, o.CompanyID)
		contactIDs = append(append(contactIDs, o.SourceContactID), o.RecruiterIDs...)
		eventIDs = append(eventIDs, o.SourceEventID)
	}
	cos, err := s.CRM.Companies.Store.CompaniesByID(ctx, u.ID, companyIDs)
	if err != nil {
		return err
	}
	people, err := s.CRM.Contacts.Store.ContactsByID(ctx, u.ID, contactIDs)
	if err != nil {
		return err
	}
	evs, err := s.CRM.Events.Store.EventsByID(ctx, u.ID, eventIDs)
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, cl := range view.Columns {
		col[cl.Stage] = i
	}
	for _, o := range all {
		card := pipelineCard{ID: o.ID, Title: o.Title, Kind: o.Kind, Stage: o.Stage, NextStep: o.NextStep, SourceID: o.SourceContactID, Notes: o.Notes,
			UpdatedAt: stamp(o.UpdatedAt), Closed: opportunities.Closed(o.Stage)}
		if o.NextStepAt != nil {
			card.NextStepAt, card.NextStepWhen = localInput(o.NextStepAt, loc), o.NextStepAt.In(loc).Format(whenLayout)
		}
		if co, ok := cos[o.CompanyID]; ok {
			card.Company = co.Name
		}
		if ct, ok := people[o.SourceContactID]; ok {
			card.Source = ct.Name
		}
		for _, id := range o.RecruiterIDs {
			if ct, ok := people[id]; ok {
				card.Recruiters = append(card.Recruiters, webEvent{ID: id, Title: ct.Name})
			}
		}
		if ev, ok := evs[o.SourceEventID]; ok {
			card.Event = ev.Title
		}
		for _, h := range o.History {
			card.History = append(card.History, h.Stage+" "+h.At.In(loc).Format("2 Jan"))
		}
		i := col[o.Stage]
		view.Columns[i].Cards = append(view.Columns[i].Cards, card)
	}
	before := s.Now().Add(24 * time.Hour)
	went, err := s.CRM.LatestEventsWent(ctx, u.ID, before, pipelineEvents) // the latest first
	if err != nil {
		return err
	}
	recent, err := s.CRM.LatestEvents(ctx, u.ID, before, pipelineEvents)
	if err != nil {
		return err
	}
	row := func(e *events.Event) webEvent {
		return webEvent{ID: e.ID, Title: e.Title, When: e.StartsAt.In(loc).Format("2 Jan 2006")}
	}
	offered := map[string]bool{}
	for i := range went {
		offered[went[i].ID] = true
		view.Events = append(view.Events, row(&went[i]))
	}
	for i := range recent {
		switch {
		case offered[recent[i].ID]:
		case len(went) == 0: // none to set apart: the latest, as they are
			view.Events = append(view.Events, row(&recent[i]))
		case len(view.Others) < pipelineOthers:
			view.Others = append(view.Others, row(&recent[i]))
		}
	}
	p.Data = view
	return nil
}

// typed puts what was typed in o's edit form (f) back into its card, if
// the board shows it, with the form open and drawn from the stored copy.
func (v *pipelineView) typed(o *opportunities.Opportunity, f map[string]string) {
	for i := range v.Columns {
		for j := range v.Columns[i].Cards {
			if card := &v.Columns[i].Cards[j]; card.ID == o.ID {
				card.Title, card.NextStep, card.NextStepAt, card.Notes = f["title"], f["next_step"], f["next_step_at"], f["notes"]
				card.UpdatedAt, card.Open = stamp(o.UpdatedAt), true
			}
		}
	}
}

// handleOpportunityMove moves a card to another stage.
func (s *pages) handleOpportunityMove(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	stage := formOf(c, "stage")["stage"]
	patch, _ := json.Marshal(map[string]string{"stage": stage})
	o, err := s.CRM.UpdateOpportunity(ctx, user(c), c.Params("id"), patch)
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "opportunity")
	}
	if err != nil {
		p := s.page(c, "Pipeline", "pipeline")
		if !p.showProblem(err, nil) {
			return err
		}
		if msg, ok := p.Errors["stage"]; ok {
			p.Problem = "Stage " + msg
		}
		if err := s.pipeline(c, &p); err != nil {
			return err
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "pipeline", p)
	}
	return seeNotice(c, "/app/pipeline#o-"+url.PathEscape(o.ID), o.Title+" moved to "+o.Stage+".")
}

// handleOpportunityEdit saves a card's edit form: the title, the next
// step and when it is due (in the user's zone; empty: none), the notes —
// as PATCH /v1/opportunities/{id} does (a next step with a time is a
// follow-up, moved or cancelled with it) — unless the opportunity changed
// since the form was drawn. A refused one comes back on the pipeline with
// the card's form open and what was typed in it.
func (s *pages) handleOpportunityEdit(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	f := formOf(c, "title", "next_step", "next_step_at", "notes", "updated_at")
	o, err := s.CRM.Opportunities.Opportunity(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "opportunity")
	} else if err != nil {
		return err
	}
	again := func(status int, problem string) error {
		p := s.page(c, "Pipeline", "pipeline")
		if err := s.pipeline(c, &p); err != nil {
			return err
		}
		p.Problem = problem
		p.Data.(*pipelineView).typed(o, f)
		return s.render(c, status, "pipeline", p)
	}
	if changedSince(f["updated_at"], o.UpdatedAt) {
		return again(fiber.StatusConflict, "Not saved: "+o.Title+" was changed elsewhere since you opened this page (another tab, the API). "+
			"Your text is kept in its card below; save again to replace what is stored.")
	}
	patch := map[string]any{"title": f["title"], "next_step": f["next_step"], "notes": f["notes"], "next_step_at": nil}
	if f["next_step_at"] != "" {
		t, ok := parseLocal(f["next_step_at"], u.Location())
		if !ok {
			return again(fiber.StatusUnprocessableEntity, "When: "+f["next_step_at"]+" is not a date and time.")
		}
		patch["next_step_at"] = apiTime(t)
	}
	body, _ := json.Marshal(patch)
	saved, err := s.CRM.UpdateOpportunity(ctx, u, o.ID, body)
	if err != nil {
		line, ok := problemLine(err)
		if !ok {
			return err
		}
		return again(fiber.StatusUnprocessableEntity, line)
	}
	return seeNotice(c, "/app/pipeline#o-"+url.PathEscape(saved.ID), "Saved "+saved.Title+".")
}

// handleOpportunityDelete deletes an opportunity filed by mistake (its
// next step's follow-up with it), once its form's box is ticked; one that
// ended is moved to lost or declined instead.
func (s *pages) handleOpportunityDelete(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	o, err := s.CRM.Opportunities.Opportunity(ctx, u.ID, c.Params("id"))
	if apperr.Is(err, apperr.NotFound) {
		return s.notFound(c, "opportunity")
	} else if err != nil {
		return err
	}
	if formOf(c, "sure")["sure"] != "1" {
		return seeProblem(c, "/app/pipeline#o-"+url.PathEscape(o.ID), "Tick the box to delete "+o.Title+": it cannot be undone.")
	}
	if err := s.CRM.DeleteOpportunity(ctx, u.ID, o.ID); err != nil {
		return err
	}
	return seeNotice(c, "/app/pipeline", "Deleted "+o.Title+".")
}

// opportunityFields are the new opportunity form's fields.
var opportunityFields = []string{"title", "kind", "company", "source", "event_id", "recruiters", "next_step", "next_step_at", "notes"}

// handleOpportunityNew files a new opportunity from the pipeline page.
func (s *pages) handleOpportunityNew(c *fiber.Ctx) error {
	ctx, cancel := s.ctx(c)
	defer cancel()
	u := user(c)
	p := s.page(c, "Pipeline", "pipeline")
	p.Form = formOf(c, opportunityFields...)
	in := opportunities.Input{Title: p.Form["title"], Kind: p.Form["kind"], SourceEventID: p.Form["event_id"], NextStep: p.Form["next_step"], Notes: p.Form["notes"]}
	if at := p.Form["next_step_at"]; at != "" {
		if t, ok := parseLocal(at, u.Location()); ok {
			in.NextStepAt = apiTime(t)
		} else {
			p.Errors["next_step_at"] = "is not a date and time"
		}
	}
	var err error
	// Checked here too, so that its refusals show with those of the names
	// below (CreateOpportunityAt makes the company only for a good form).
	if err := in.Apply(&opportunities.Opportunity{}, s.Now()); err != nil && !p.showProblem(err, nil) {
		return err
	}
	if in.SourceEventID != "" {
		if _, err := s.CRM.Events.Store.Event(ctx, u.ID, in.SourceEventID); apperr.Is(err, apperr.NotFound) {
			p.Errors["event_id"] = "is not one of your events"
		} else if err != nil {
			return err
		}
	}
	if p.Form["source"] != "" {
		in.SourceContactID = s.pickContact(ctx, u, p.Form["source"], "source", &p)
	}
	for _, name := range commaList(p.Form["recruiters"]) {
		if id := s.pickContact(ctx, u, name, "recruiters", &p); id != "" {
			in.RecruiterIDs = append(in.RecruiterIDs, id)
		}
	}
	if len(p.Errors) == 0 {
		// Sent twice (a double click), the form adds one opportunity.
		err = s.once(c, ctx, u, "web-opportunity", "/app/pipeline", func() (string, string, error) {
			o, err := s.CRM.CreateOpportunityAt(ctx, u, in, p.Form["company"])
			if err != nil {
				return "", "", err
			}
			return "/app/pipeline#o-" + url.PathEscape(o.ID), "Added " + o.Title + ".", nil
		})
		if err == nil || !p.showProblem(err, map[string]string{"source_event_id": "event_id", "source_contact_id": "source", "recruiter_ids": "recruiters"}) {
			return err
		}
	}
	if err := s.pipeline(c, &p); err != nil {
		return err
	}
	return s.render(c, fiber.StatusUnprocessableEntity, "pipeline", p)
}

// pickMax is how many contacts pickContact names when a name is not enough.
const pickMax = 5

// pickContact finds the one contact a name (or email) means; none or
// several is an error on field, with the candidates named. An exact name
// wins over names that contain it, unless two contacts have it: then the
// error names them with their companies and asks for the email
// (namedOrMatching: the exact name is found however many other contacts
// contain it).
func (s *pages) pickContact(ctx context.Context, u *accounts.User, name, field string, p *webPage) string {
	exact, all, err := s.namedOrMatching(ctx, u.ID, name, "", pickMax)
	if err != nil {
		p.Errors[field] = "could not look up " + name
		return ""
	}
	switch len(exact) {
	case 0:
	case 1:
		return exact[0].ID
	default:
		var who []string // where each is
		for _, ct := range exact {
			if ct.Company != "" {
				who = append(who, "at "+ct.Company)
			} else {
				who = append(who, "with no company")
			}
		}
		p.Errors[field] = "“" + name + "” is the name of " + words.Counted(len(exact), "contact") + " (" + words.AndList(who) + "): type the email of the one you mean"
		return ""
	}
	switch len(all) {
	case 0:
		p.Errors[field] = "no contact matches “" + name + "”"
	case 1:
		return all[0].ID
	default:
		var names []string
		for _, ct := range all {
			names = append(names, ct.Name)
		}
		p.Errors[field] = "“" + name + "” matches " + strings.Join(names, ", ") + ": type the full name"
	}
	return ""
}
