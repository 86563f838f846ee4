package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
)

// SearchArgs are the arguments of the search tool.
type SearchArgs struct {
	Q     string   `json:"q" jsonschema:"words to find; each must start a word of the record; case and accents are ignored; plain text, never a pattern"`
	Types []string `json:"types,omitempty" jsonschema:"only these record types: contact, encounter, event, interaction, intro, opportunity, company"`
	Limit int      `json:"limit,omitempty" jsonschema:"how many results, 1 to 50 (default 20)"`
}

// SearchResult is the answer of the search tool.
type SearchResult struct {
	Items []search.Hit `json:"items"`
}

// ContactArgs are a new contact's fields (as POST /v1/contacts).
type ContactArgs struct {
	Name        string   `json:"name" jsonschema:"the person's name"`
	Emails      []string `json:"emails,omitempty"`
	Phones      []string `json:"phones,omitempty"`
	Company     string   `json:"company,omitempty"`
	Title       string   `json:"title,omitempty"`
	LinkedInURL string   `json:"linkedin_url,omitempty" jsonschema:"https://www.linkedin.com/in/..."`
	Tags        []string `json:"tags,omitempty"`
	Notes       string   `json:"notes,omitempty"`
}

// LogEncounterArgs are the arguments of log_encounter.
type LogEncounterArgs struct {
	EventID   string       `json:"event_id" jsonschema:"the event where you met (search with types [event] to find it)"`
	ContactID string       `json:"contact_id,omitempty" jsonschema:"an existing contact; or give contact"`
	Contact   *ContactArgs `json:"contact,omitempty" jsonschema:"a new contact; one with a known email or LinkedIn URL is the existing contact"`
	Moment    string       `json:"moment" jsonschema:"before_talk, during_talk, after_talk or other"`
	MetAt     string       `json:"met_at,omitempty" jsonschema:"RFC 3339 time; default now, or the event's time for the moment when logged after the event"`
	Notes     string       `json:"notes,omitempty"`
	Topics    []string     `json:"topics,omitempty" jsonschema:"what you talked about"`
	Followup  *bool        `json:"followup,omitempty" jsonschema:"schedule the automatic follow-ups (default true)"`
	// IdempotencyKey makes a retried call log once.
	IdempotencyKey string `json:"idempotency_key,omitempty" jsonschema:"any unique string; a call repeated with it logs once and answers the same"`
}

// LogInteractionArgs are the arguments of log_interaction.
type LogInteractionArgs struct {
	ContactID      string `json:"contact_id" jsonschema:"the contact (search with types [contact] to find them)"`
	Kind           string `json:"kind" jsonschema:"email, call, meeting, message, social, other; or the giving ledger's helped (the user helped them) or helped_me (they helped the user)"`
	At             string `json:"at,omitempty" jsonschema:"RFC 3339 time; default now"`
	Notes          string `json:"notes,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty" jsonschema:"any unique string; a call repeated with it logs once and answers the same"`
}

// ListFollowupsArgs are the arguments of list_followups.
type ListFollowupsArgs struct {
	Status    string `json:"status,omitempty" jsonschema:"pending (default), done, cancelled or all"`
	ContactID string `json:"contact_id,omitempty"`
	DueBefore string `json:"due_before,omitempty" jsonschema:"RFC 3339 time"`
	Limit     int    `json:"limit,omitempty" jsonschema:"1 to 200 (default 50)"`
	Cursor    string `json:"cursor,omitempty" jsonschema:"the next_cursor of the page before, for the next page"`
}

// ScheduleFollowupArgs are the arguments of schedule_followup.
type ScheduleFollowupArgs struct {
	ContactID      string `json:"contact_id" jsonschema:"the contact it is about (search with types [contact] to find them)"`
	DueAt          string `json:"due_at" jsonschema:"RFC 3339 time when the user wants to be reminded, such as 2026-11-27T09:00:00+01:00"`
	Note           string `json:"note,omitempty" jsonschema:"what to do, in the user's words"`
	IdempotencyKey string `json:"idempotency_key,omitempty" jsonschema:"any unique string; a call repeated with it schedules once and answers the same"`
}

// AddOpportunityArgs are the arguments of add_opportunity.
type AddOpportunityArgs struct {
	Title           string   `json:"title" jsonschema:"what it is, such as Staff engineer or Talk at GopherCon"`
	Kind            string   `json:"kind,omitempty" jsonschema:"job (default), contract, advisory, board, speaking or other"`
	Company         string   `json:"company,omitempty" jsonschema:"the company's name: the user's company of that name (Acme, ACME Inc. and acme.io are one), else a new one"`
	SourceContactID string   `json:"source_contact_id,omitempty" jsonschema:"the contact who told the user of it"`
	SourceEventID   string   `json:"source_event_id,omitempty" jsonschema:"the event where the user heard of it"`
	RecruiterIDs    []string `json:"recruiter_ids,omitempty" jsonschema:"contacts recruiting for it"`
	NextStep        string   `json:"next_step,omitempty" jsonschema:"what the user does next, such as Send CV"`
	NextStepAt      string   `json:"next_step_at,omitempty" jsonschema:"RFC 3339 time of the next step; the user is reminded then"`
	Notes           string   `json:"notes,omitempty"`
	IdempotencyKey  string   `json:"idempotency_key,omitempty" jsonschema:"any unique string; a call repeated with it adds once and answers the same"`
}

// CompleteFollowupArgs are the arguments of complete_followup.
type CompleteFollowupArgs struct {
	ID             string `json:"id" jsonschema:"the follow-up's id"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// DropStaleArgs are the arguments of drop_stale_followups.
type DropStaleArgs struct {
	Before string `json:"before,omitempty" jsonschema:"RFC 3339 time: drop only those due before it (at most, and by default, a month ago)"`
}

// DroppedStale is what drop_stale_followups answers: how many it
// cancelled, and whether there may be more (it cancels at most
// followup.StaleMax a call).
type DroppedStale struct {
	Dropped int  `json:"dropped"`
	More    bool `json:"more"`
}

// CreateIntroArgs are the arguments of create_intro.
type CreateIntroArgs struct {
	ContactIDs     []string `json:"contact_ids" jsonschema:"the two contacts to introduce"`
	EventID        string   `json:"event_id,omitempty"`
	Context        string   `json:"context,omitempty" jsonschema:"why they should meet"`
	DoubleOptIn    bool     `json:"double_opt_in,omitempty" jsonschema:"ask each first (status proposed) rather than introduce at once"`
	IdempotencyKey string   `json:"idempotency_key,omitempty"`
}

// PrepBriefArgs are the arguments of prep_brief.
type PrepBriefArgs struct {
	ContactID string `json:"contact_id" jsonschema:"the contact you are about to meet"`
}

// PrepEventArgs are the arguments of prep_event.
type PrepEventArgs struct {
	EventID string `json:"event_id" jsonschema:"the event the user is about to go to (search with types [event] to find it)"`
}

// no is the false the annotations point at.
var no = false

// readOnly annotates a tool that only reads the user's CRM (assistants
// may run it without asking).
func readOnly(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, ReadOnlyHint: true, OpenWorldHint: &no}
}

// adds annotates a tool that adds to the CRM and changes nothing there
// (a repeat with the same idempotency_key adds nothing more).
func adds(title string) *mcp.ToolAnnotations {
	return &mcp.ToolAnnotations{Title: title, DestructiveHint: &no, OpenWorldHint: &no}
}

func (t *tools) register(srv *mcp.Server) {
	addTool(srv, &mcp.Tool{Name: "search", Annotations: readOnly("Search the CRM"), Description: describe(
		"Search everything the user wrote: contacts, encounters (notes and topics), events (titles, talks, speakers),",
		"intros, interactions, opportunities and companies. Best match first, with a snippet and the contact and event it is about.",
		"Every word must appear in one record, so search for what was said (\"flame graph slides\") or for a person, not both at once;",
		"for everything about one person use prep_brief.")},
		handler(t, "search", nil, func(ctx context.Context, u *accounts.User, in SearchArgs) (any, error) {
			hits, err := t.CRM.Search(ctx, u.ID, crm.SearchInput{Q: in.Q, Types: strings.Join(in.Types, ","), Limit: in.Limit})
			if err != nil {
				return nil, err
			}
			return SearchResult{Items: hits}, nil
		}))
	addTool(srv, &mcp.Tool{Name: "log_encounter", Annotations: adds("Log who you met"), Description: describe(
		"Log that the user met someone at an event: an existing contact by id, or a new one (duplicates by email or",
		"LinkedIn URL are recognised, never created; a name alone always makes a new contact, so search for someone the user",
		"may know and give their contact_id). Schedules the thank-you follow-up unless followup is false. Logged after",
		"the event with no met_at, the meeting is dated at the event (its start, its first talk or its end, by moment), not now.")},
		handler(t, "log_encounter", func(in LogEncounterArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in LogEncounterArgs) (any, error) {
				ei := contacts.EncounterInput{ContactID: in.ContactID, Moment: in.Moment, MetAt: in.MetAt, Notes: in.Notes, Topics: in.Topics, Followup: in.Followup}
				if c := in.Contact; c != nil {
					ei.Contact = &contacts.Input{Name: c.Name, Emails: c.Emails, Phones: c.Phones, Company: c.Company, Title: c.Title,
						LinkedInURL: c.LinkedInURL, Tags: c.Tags, Notes: c.Notes}
				}
				if in.EventID == "" {
					return nil, apperr.InvalidField("event_id", "is required")
				}
				return t.CRM.LogEncounter(ctx, u, in.EventID, ei)
			}))
	addTool(srv, &mcp.Tool{Name: "list_followups", Annotations: readOnly("List follow-ups"), Description: describe(
		"List the user's follow-ups: pending by default, soonest due first; done or cancelled, the latest due first; or all, soonest due first.",
		"For one contact or due before a time. A page holds up to limit; its next_cursor, passed back as cursor, is the next page.")},
		handler(t, "list_followups", nil, func(ctx context.Context, u *accounts.User, in ListFollowupsArgs) (any, error) {
			f := followup.Filter{Status: in.Status, ContactID: in.ContactID, Limit: in.Limit}
			if f.Status == "" {
				f.Status = followup.Pending
			}
			if err := followup.CheckStatus(f.Status, true); err != nil {
				return nil, err
			}
			switch f.Status {
			case "all":
				f.Status = ""
			case followup.Done, followup.Cancelled:
				f.NewestFirst = true // what was done lately, not years ago
			}
			var err error
			if f.Cursor, err = record.DecodeCursor(in.Cursor); err != nil {
				return nil, err
			}
			if f.Limit == 0 {
				f.Limit = record.DefaultLimit
			}
			if f.Limit < 1 || f.Limit > record.MaxLimit {
				return nil, apperr.InvalidField("limit", "must be a whole number from 1 to %d", record.MaxLimit)
			}
			if in.DueBefore != "" {
				at, err := time.Parse(time.RFC3339Nano, in.DueBefore)
				if err != nil {
					return nil, apperr.InvalidField("due_before", "must be an RFC 3339 time such as 2026-11-24T18:30:00Z")
				}
				at = record.Time(at)
				f.DueBefore = &at
			}
			page, err := t.CRM.Followups.List(ctx, u.ID, f)
			if err != nil {
				return nil, err
			}
			return t.withNames(ctx, u, page)
		}))
	addTool(srv, &mcp.Tool{Name: "log_interaction", Annotations: adds("Log a call, email or meeting"), Description: describe(
		"Log that the user was in touch with one of their contacts — a call, an email, a meeting, a message — or helped",
		"them, or was helped by them (the giving ledger). The contact's last contact moves to it, the follow-ups it takes",
		"care of are done, and the stay-in-touch reminder is re-dated from it.")},
		handler(t, "log_interaction", func(in LogInteractionArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in LogInteractionArgs) (any, error) {
				return t.CRM.LogInteraction(ctx, u, in.ContactID, contacts.InteractionInput{Kind: in.Kind, At: in.At, Notes: in.Notes})
			}))
	addTool(srv, &mcp.Tool{Name: "schedule_followup", Annotations: adds("Remind me to follow up"), Description: describe(
		"Schedule a follow-up with one of the user's contacts (\"remind me to send Jane the slides on Friday\"): the user is",
		"nudged at due_at by email or webhook, and sees it in the desk's follow-ups, the calendar feed and the phone's reminders.")},
		handler(t, "schedule_followup", func(in ScheduleFollowupArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in ScheduleFollowupArgs) (any, error) {
				return t.CRM.CreateFollowup(ctx, u, followup.CustomInput{ContactID: in.ContactID, DueAt: in.DueAt, Note: in.Note})
			}))
	addTool(srv, &mcp.Tool{Name: "add_opportunity", Annotations: adds("Add to my pipeline"), Description: describe(
		"Add a job, contract, advisory or board seat, or speaking slot the user heard of to their pipeline (Plan B), as a lead:",
		"at a company by name, told by a contact, heard of at an event, with recruiters; a next step with a time reminds the user then.")},
		handler(t, "add_opportunity", func(in AddOpportunityArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in AddOpportunityArgs) (any, error) {
				return t.CRM.CreateOpportunityAt(ctx, u, opportunities.Input{Title: in.Title, Kind: in.Kind, SourceContactID: in.SourceContactID,
					SourceEventID: in.SourceEventID, RecruiterIDs: in.RecruiterIDs, NextStep: in.NextStep, NextStepAt: in.NextStepAt, Notes: in.Notes}, in.Company)
			}))
	addTool(srv, &mcp.Tool{Name: "complete_followup", Annotations: &mcp.ToolAnnotations{Title: "Complete a follow-up", DestructiveHint: &no, IdempotentHint: true, OpenWorldHint: &no}, Description: "Mark one of the user's follow-ups done."},
		handler(t, "complete_followup", func(in CompleteFollowupArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in CompleteFollowupArgs) (any, error) {
				return t.CRM.Followups.MarkDone(ctx, u.ID, in.ID)
			}))
	yes := true
	addTool(srv, &mcp.Tool{Name: "drop_stale_followups", Annotations: &mcp.ToolAnnotations{Title: "Drop stale follow-ups", DestructiveHint: &yes, IdempotentHint: true, OpenWorldHint: &no},
		Description: describe(
			"After time away: cancel, as no longer needed, the user's follow-ups of meetings, intros and events that are a month",
			"overdue or more (thank-yous, check-ins, intro checks, briefs). Their own follow-ups, stay-in-touch reminders and",
			"opportunities' next steps stay. Ask the user first; list_followups with due_before shows what would go.")},
		handler(t, "drop_stale_followups", nil, func(ctx context.Context, u *accounts.User, in DropStaleArgs) (any, error) {
			n, more, err := t.CRM.Followups.DropStaleAsked(ctx, u.ID, in.Before)
			return DroppedStale{Dropped: n, More: more}, err
		}))
	addTool(srv, &mcp.Tool{Name: "create_intro", Annotations: adds("Record an intro"), Description: describe(
		"Record an introduction the user makes between two of their contacts, optionally at an event; with double_opt_in",
		"each is asked first. Schedules the check on how it went.")},
		handler(t, "create_intro", func(in CreateIntroArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in CreateIntroArgs) (any, error) {
				return t.CRM.CreateIntro(ctx, u, contacts.IntroInput{ContactIDs: in.ContactIDs, EventID: in.EventID, Context: in.Context, DoubleOptIn: in.DoubleOptIn})
			}))
	addTool(srv, &mcp.Tool{Name: "prep_brief", Annotations: readOnly("Brief me on a contact"), Description: describe(
		"Everything about one contact before the user meets them again: the contact, how and where they met (newest first),",
		"the topics they talked about, intros made for them, open follow-ups and opportunities.")},
		handler(t, "prep_brief", nil, func(ctx context.Context, u *accounts.User, in PrepBriefArgs) (any, error) {
			return t.CRM.Brief(ctx, u.ID, in.ContactID)
		}))
	addTool(srv, &mcp.Tool{Name: "prep_event", Annotations: readOnly("Brief me before an event"), Description: describe(
		"Before the user goes to an event: why they go (intentions, targets); the people on its guest list they know,",
		"most recently met first, with where they last met, what about, and open follow-ups and intros; the others ranked",
		"by who is worth meeting (a target, a company with an open opportunity, a warm path in, the user's hot topics) with",
		"the reasons; and the speakers with where the user saw them before.")},
		handler(t, "prep_event", nil, func(ctx context.Context, u *accounts.User, in PrepEventArgs) (any, error) {
			return t.CRM.Prep(ctx, u, in.EventID)
		}))
}

// FollowupItem is a follow-up as list_followups answers it: with the name
// of the contact it is about, so an assistant need not look each one up.
type FollowupItem struct {
	followup.FollowUp
	ContactName string `json:"contact_name"`
}

// FollowupList is the answer of list_followups.
type FollowupList struct {
	Items      []FollowupItem `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// withNames adds the contacts' names to a page of follow-ups, read at once.
func (t *tools) withNames(ctx context.Context, u *accounts.User, page *record.Page[followup.FollowUp]) (*FollowupList, error) {
	ids := make([]string, 0, len(page.Items))
	for _, f := range page.Items {
		if f.ContactID != "" {
			ids = append(ids, f.ContactID)
		}
	}
	cs, err := t.CRM.Contacts.Store.ContactsByID(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	out := &FollowupList{Items: make([]FollowupItem, len(page.Items)), NextCursor: page.NextCursor}
	for i, f := range page.Items {
		out.Items[i] = FollowupItem{FollowUp: f}
		if c := cs[f.ContactID]; c != nil {
			out.Items[i].ContactName = c.Name
		}
	}
	return out, nil
}

// addTool adds a tool with an input schema every major client accepts:
// the SDK infers ["null", "array"] for a slice and ["null", "object"] for
// a pointer, which some model providers refuse (the MCP Inspector warns);
// an optional argument is one left out, so the plain type says it all.
func addTool[In any](srv *mcp.Server, tool *mcp.Tool, h mcp.ToolHandlerFor[In, any]) {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("the input schema of %s: %v", tool.Name, err))
	}
	// The schema goes in as its JSON: from protocol 2026-07-28 the SDK
	// reads the input schema on every call (x-mcp-header annotations), and
	// re-marshalling a *jsonschema.Schema each time cost a third of a
	// millisecond a call; the JSON is the same either way.
	raw, err := json.Marshal(plainTypes(s))
	if err != nil {
		panic(fmt.Sprintf("the input schema of %s: %v", tool.Name, err))
	}
	tool.InputSchema = json.RawMessage(raw)
	mcp.AddTool(srv, tool, h)
}

// plainTypes replaces each ["null", T] in s, at any depth, by T.
func plainTypes(s *jsonschema.Schema) *jsonschema.Schema {
	if s == nil {
		return nil
	}
	if len(s.Types) == 2 && s.Types[0] == "null" {
		s.Type, s.Types = s.Types[1], nil
	} else if len(s.Types) == 2 && s.Types[1] == "null" {
		s.Type, s.Types = s.Types[0], nil
	}
	for _, p := range s.Properties {
		plainTypes(p)
	}
	plainTypes(s.Items)
	plainTypes(s.AdditionalProperties)
	for _, d := range s.Defs {
		plainTypes(d)
	}
	return s
}
