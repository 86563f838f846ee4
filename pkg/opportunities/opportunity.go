// Package opportunities keeps the user's Plan B: jobs, contracts, advisory
// and board seats, speaking slots — with their stages, the company, the
// contact and event they came from, and the recruiters involved.
package opportunities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Kinds and stages of opportunities (PRODUCT.md §8).
var (
	Kinds  = []string{"job", "contract", "advisory", "board", "speaking", "other"}
	Stages = []string{"lead", "applied", "interviewing", "offer", "accepted", "declined", "lost"}
)

// IsStage reports whether s is one of Stages.
func IsStage(s string) bool { return slices.Contains(Stages, s) }

// Closed reports whether stage ends an opportunity (its next step is
// then cancelled).
func Closed(stage string) bool { return stage == "accepted" || stage == "declined" || stage == "lost" }

// maxRecruiters bounds recruiter_ids.
const maxRecruiters = 20

// Opportunity is one opportunity.
type Opportunity struct {
	ID              string        `json:"id"`
	UserID          string        `json:"-"`
	Title           string        `json:"title"`
	CompanyID       string        `json:"company_id"`
	Kind            string        `json:"kind"`
	Stage           string        `json:"stage"`
	SourceContactID string        `json:"source_contact_id"`
	SourceEventID   string        `json:"source_event_id"`
	RecruiterIDs    []string      `json:"recruiter_ids"`
	NextStep        string        `json:"next_step"`
	NextStepAt      *time.Time    `json:"next_step_at"`
	Notes           string        `json:"notes"`
	History         []StageChange `json:"history"`
	CreatedAt       time.Time     `json:"created_at"`
	UpdatedAt       time.Time     `json:"updated_at"`
}

// StageChange is one entry of an opportunity's history.
type StageChange struct {
	Stage string    `json:"stage"`
	At    time.Time `json:"at"`
}

// NextStepContact is who the next step's follow-up is for: the source
// contact, else the first recruiter, else nobody ("").
func (o *Opportunity) NextStepContact() string {
	if o.SourceContactID != "" {
		return o.SourceContactID
	}
	if len(o.RecruiterIDs) > 0 {
		return o.RecruiterIDs[0]
	}
	return ""
}

// Input is the body of POST /v1/opportunities and the patchable view of one.
type Input struct {
	Title           string   `json:"title"`
	CompanyID       string   `json:"company_id,omitempty"`
	Kind            string   `json:"kind,omitempty"`
	Stage           string   `json:"stage,omitempty"`
	SourceContactID string   `json:"source_contact_id,omitempty"`
	SourceEventID   string   `json:"source_event_id,omitempty"`
	RecruiterIDs    []string `json:"recruiter_ids,omitempty"`
	NextStep        string   `json:"next_step,omitempty"`
	NextStepAt      string   `json:"next_step_at,omitempty"`
	Notes           string   `json:"notes,omitempty"`
}

// InputOf returns the patchable view of o.
func InputOf(o *Opportunity) Input {
	in := Input{Title: o.Title, CompanyID: o.CompanyID, Kind: o.Kind, Stage: o.Stage, SourceContactID: o.SourceContactID,
		SourceEventID: o.SourceEventID, RecruiterIDs: o.RecruiterIDs, NextStep: o.NextStep, Notes: o.Notes}
	if o.NextStepAt != nil {
		in.NextStepAt = o.NextStepAt.Format(time.RFC3339Nano)
	}
	return in
}

// Apply checks in and writes it into o; a stage change (or the first
// stage) is appended to the history at now.
func (in Input) Apply(o *Opportunity, now time.Time) error {
	var c input.Checker
	o.Title = c.Required("title", in.Title, input.MaxShort)
	o.Kind = c.OneOf("kind", in.Kind, "job", Kinds...)
	stage := c.OneOf("stage", in.Stage, "lead", Stages...)
	o.CompanyID = strings.TrimSpace(in.CompanyID)
	o.SourceContactID = strings.TrimSpace(in.SourceContactID)
	o.SourceEventID = strings.TrimSpace(in.SourceEventID)
	if len(in.RecruiterIDs) > maxRecruiters {
		c.Add("recruiter_ids", "has %d entries; at most %d", len(in.RecruiterIDs), maxRecruiters)
	}
	o.RecruiterIDs = []string{}
	for i, id := range in.RecruiterIDs {
		id = strings.TrimSpace(id)
		switch {
		case id == "":
			c.Add(fmt.Sprintf("recruiter_ids[%d]", i), "is empty")
		case !slices.Contains(o.RecruiterIDs, id):
			o.RecruiterIDs = append(o.RecruiterIDs, id)
		}
	}
	o.NextStep = c.Text("next_step", in.NextStep, input.MaxShort)
	o.NextStepAt = nil
	if strings.TrimSpace(in.NextStepAt) != "" {
		if t := c.Time("next_step_at", in.NextStepAt); t != nil {
			rt := record.Time(*t)
			o.NextStepAt = &rt
		}
	}
	o.Notes = c.Text("notes", in.Notes, input.MaxNotes)
	if err := c.Err(); err != nil {
		return err
	}
	if stage != o.Stage {
		o.Stage = stage
		o.History = append(o.History, StageChange{Stage: stage, At: record.Time(now)})
	}
	return nil
}

// Store keeps the user's opportunities. The embedded store (pkg/sqlite)
// and MongoDB (pkg/mongodb) implement it, and pkg/storetest checks both.
// Every method is scoped to one user: another user's id is NotFound.
type Store interface {
	// OpportunityArchive walks and restores opportunities as they are.
	OpportunityArchive() record.Archive[Opportunity]
	// CreateOpportunity stores o (ID and UserID set).
	CreateOpportunity(ctx context.Context, o *Opportunity) error
	// Opportunity returns one of the user's opportunities.
	Opportunity(ctx context.Context, userID, id string) (*Opportunity, error)
	// UpdateOpportunity replaces the user's opportunity o.ID.
	UpdateOpportunity(ctx context.Context, o *Opportunity) error
	// DeleteOpportunity removes one of the user's opportunities.
	DeleteOpportunity(ctx context.Context, userID, id string) error
	// Opportunities returns one page of the user's opportunities, newest
	// first (Cursor.T is created_at), filtered by q.
	Opportunities(ctx context.Context, userID string, q Query) (*record.Page[Opportunity], error)
	// Detach clears references to deleted records (any of ids) from the
	// user's opportunities: company_id, source_event_id, or contacts (as
	// source and among the recruiters). It returns the ids it changed.
	Detach(ctx context.Context, userID string, ref Ref, ids []string, at time.Time) ([]string, error)
}

// Query selects one page of opportunities: every field set must hold.
// ContactID matches the source contact or a recruiter.
type Query struct {
	Stage, CompanyID, ContactID, EventID string
	Limit                                int
	Cursor                               *record.Cursor
}

// Ref names what Detach clears.
type Ref string

// What Detach clears.
const (
	RefCompany Ref = "company_id"
	RefContact Ref = "contact"
	RefEvent   Ref = "source_event_id"
)
