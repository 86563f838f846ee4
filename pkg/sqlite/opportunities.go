package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Opportunities is the opportunities.Store of the embedded store.
type Opportunities struct{ DB *DB }

var _ opportunities.Store = (*Opportunities)(nil)

const opportunityColumns = `id, user_id, title, company_id, kind, stage, source_contact_id, source_event_id, recruiter_ids,
	next_step, next_step_at, notes, history, created_at, updated_at`

func opportunityArgs(o *opportunities.Opportunity) []any {
	history, _ := json.Marshal(o.History)
	return []any{o.ID, o.UserID, o.Title, o.CompanyID, o.Kind, o.Stage, o.SourceContactID, o.SourceEventID, jsonList(o.RecruiterIDs),
		o.NextStep, nullTime(o.NextStepAt), o.Notes, string(history), formatTime(o.CreatedAt), formatTime(o.UpdatedAt)}
}

func scanOpportunity(r scanner) (*opportunities.Opportunity, error) {
	var o opportunities.Opportunity
	var recruiters, history, created, updated string
	var next sql.NullString
	if err := r.Scan(&o.ID, &o.UserID, &o.Title, &o.CompanyID, &o.Kind, &o.Stage, &o.SourceContactID, &o.SourceEventID, &recruiters,
		&o.NextStep, &next, &o.Notes, &history, &created, &updated); err != nil {
		return nil, translate(err, "opportunity")
	}
	err := unmarshalStrings(recruiters, &o.RecruiterIDs)
	if err == nil {
		err = json.Unmarshal([]byte(history), &o.History)
	}
	if err == nil {
		o.NextStepAt, err = parseNullTime(next)
	}
	if err == nil {
		o.CreatedAt, err = parseTime(created)
	}
	if err == nil {
		o.UpdatedAt, err = parseTime(updated)
	}
	return &o, translate(err, "opportunity")
}

// CreateOpportunity stores o.
func (s *Opportunities) CreateOpportunity(ctx context.Context, o *opportunities.Opportunity) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.createOpportunity(ctx, o) })
}

func (tx *Tx) createOpportunity(ctx context.Context, o *opportunities.Opportunity) error {
	args := opportunityArgs(o)
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO opportunities(`+opportunityColumns+`) VALUES(`+placeholders(len(args))+`)`, args...)
	return translate(err, "opportunity")
}

// Opportunity returns one of the user's opportunities (opportunities.id).
func (s *Opportunities) Opportunity(ctx context.Context, userID, id string) (*opportunities.Opportunity, error) {
	return scanOpportunity(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+opportunityColumns+` FROM opportunities WHERE id = ? AND user_id = ?`, id, userID))
}

// UpdateOpportunity replaces one of the user's opportunities.
func (s *Opportunities) UpdateOpportunity(ctx context.Context, o *opportunities.Opportunity) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		args := opportunityArgs(o)
		return tx.writeOwned(ctx, `UPDATE opportunities SET (`+opportunityColumns+`) = (`+placeholders(len(args))+`) WHERE id = ? AND user_id = ?`,
			"opportunity", append(args, o.ID, o.UserID)...)
	})
}

// DeleteOpportunity removes one of the user's opportunities.
func (s *Opportunities) DeleteOpportunity(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM opportunities WHERE id = ? AND user_id = ?`, "opportunity", id, userID)
	})
}

// Opportunities returns one page of the user's opportunities, newest first
// (opportunities_user, or opportunities_user_stage with a stage).
func (s *Opportunities) Opportunities(ctx context.Context, userID string, q opportunities.Query) (*record.Page[opportunities.Opportunity], error) {
	var sb strings.Builder
	sb.WriteString(`SELECT ` + opportunityColumns + ` FROM opportunities WHERE user_id = ?`)
	args := []any{userID}
	if q.Stage != "" {
		sb.WriteString(` AND stage = ?`)
		args = append(args, q.Stage)
	}
	if q.CompanyID != "" {
		sb.WriteString(` AND company_id = ?`)
		args = append(args, q.CompanyID)
	}
	if q.EventID != "" {
		sb.WriteString(` AND source_event_id = ?`)
		args = append(args, q.EventID)
	}
	if q.ContactID != "" {
		sb.WriteString(` AND (source_contact_id = ? OR EXISTS (SELECT 1 FROM json_each(recruiter_ids) WHERE value = ?))`)
		args = append(args, q.ContactID, q.ContactID)
	}
	return pageByTime(ctx, s.DB, &sb, args, q.Cursor, "created_at", true, record.PageSize(q.Limit), "opportunity", scanOpportunity,
		func(o *opportunities.Opportunity) record.Cursor { return record.Cursor{T: &o.CreatedAt, ID: o.ID} })
}

// Detach clears a deleted record's id from the user's opportunities.
func (s *Opportunities) Detach(ctx context.Context, userID string, ref opportunities.Ref, refIDs []string, at time.Time) ([]string, error) {
	var ids []string
	list := jsonList(refIDs)
	err := s.DB.Update(ctx, func(tx *Tx) error {
		var err error
		switch ref {
		case opportunities.RefCompany:
			ids, err = tx.deleteReturningIDs(ctx, `UPDATE opportunities SET company_id = '', updated_at = ?
				WHERE user_id = ? AND company_id IN (SELECT value FROM json_each(?)) RETURNING id`,
				"opportunity", formatTime(at), userID, list)
		case opportunities.RefEvent:
			ids, err = tx.deleteReturningIDs(ctx, `UPDATE opportunities SET source_event_id = '', updated_at = ?
				WHERE user_id = ? AND source_event_id IN (SELECT value FROM json_each(?)) RETURNING id`,
				"opportunity", formatTime(at), userID, list)
		case opportunities.RefContact:
			ids, err = tx.deleteReturningIDs(ctx, `UPDATE opportunities SET
				source_contact_id = CASE WHEN source_contact_id IN (SELECT value FROM json_each(?1)) THEN '' ELSE source_contact_id END,
				recruiter_ids = (SELECT json_group_array(value) FROM (SELECT value FROM json_each(recruiter_ids)
					WHERE value NOT IN (SELECT value FROM json_each(?1)) ORDER BY key)),
				updated_at = ?2
				WHERE user_id = ?3 AND (source_contact_id IN (SELECT value FROM json_each(?1))
					OR EXISTS (SELECT 1 FROM json_each(recruiter_ids) r WHERE r.value IN (SELECT value FROM json_each(?1)))) RETURNING id`,
				"opportunity", list, formatTime(at), userID)
		}
		return err
	})
	return ids, err
}

// OpportunityArchive walks and restores the user's opportunities.
func (s *Opportunities) OpportunityArchive() record.Archive[opportunities.Opportunity] {
	return archive[opportunities.Opportunity]{db: s.DB, table: "opportunities", columns: opportunityColumns, scan: scanOpportunity, insert: (*Tx).createOpportunity}
}
