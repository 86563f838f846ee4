package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenOpportunities opens a fresh, empty opportunities store for one test.
type OpenOpportunities func(tb testing.TB) opportunities.Store

func newOpportunity(userID, title string, minute int) *opportunities.Opportunity {
	at := clock.Add(time.Duration(minute) * time.Minute)
	return &opportunities.Opportunity{ID: nextID(), UserID: userID, Title: title, Kind: "job", Stage: "lead", RecruiterIDs: []string{},
		History: []opportunities.StageChange{{Stage: "lead", At: at}}, CreatedAt: at, UpdatedAt: at}
}

// Opportunities runs the opportunities.Store contract against open.
func Opportunities(t *testing.T, open OpenOpportunities) {
	ctx := context.Background()
	// seed stores A, B and C of u1 and one of u2 in a fresh store.
	seed := func(t *testing.T) (s opportunities.Store, a, b, other *opportunities.Opportunity) {
		s = open(t)
		a = newOpportunity("u1", "A", 1)
		a.CompanyID, a.SourceContactID, a.SourceEventID, a.RecruiterIDs = "co1", "c1", "e1", []string{"c2", "c3"}
		next := clock.Add(48 * time.Hour)
		a.NextStep, a.NextStepAt = "Send CV", &next
		b = newOpportunity("u1", "B", 2)
		b.Stage, b.RecruiterIDs = "lost", []string{"c1"}
		c := newOpportunity("u1", "C", 3)
		other = newOpportunity("u2", "Theirs", 4)
		other.SourceContactID = "c1"
		for _, o := range []*opportunities.Opportunity{a, b, c, other} {
			if err := s.CreateOpportunity(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		return s, a, b, other
	}
	list := func(t *testing.T, s opportunities.Store, q opportunities.Query) string {
		t.Helper()
		return fmt.Sprint(allPages(t, func(cur *record.Cursor) (*record.Page[opportunities.Opportunity], error) {
			q.Limit, q.Cursor = 2, cur
			return s.Opportunities(ctx, "u1", q)
		}, func(o *opportunities.Opportunity) string { return o.Title }))
	}
	t.Run("ReadBackAndIsolation", func(t *testing.T) {
		s, a, _, _ := seed(t)
		got, err := s.Opportunity(ctx, "u1", a.ID)
		if err != nil || !sameJSON(got, a) {
			t.Fatalf("read back %+v, %v; want %+v", got, err, a)
		}
		wantKind(t, errOf(s.Opportunity(ctx, "u2", a.ID)), apperr.NotFound)
		wantKind(t, s.UpdateOpportunity(ctx, &opportunities.Opportunity{ID: a.ID, UserID: "u2", Title: "x"}), apperr.NotFound)
		wantKind(t, s.DeleteOpportunity(ctx, "u2", a.ID), apperr.NotFound)
	})
	t.Run("Lists", func(t *testing.T) {
		s, _, _, _ := seed(t)
		for q, want := range map[string]string{
			"all": "[C B A]", "stage": "[B]", "company": "[A]", "contact as source or recruiter": "[B A]", "recruiter": "[A]", "event": "[A]",
		} {
			var qq opportunities.Query
			switch q {
			case "stage":
				qq.Stage = "lost"
			case "company":
				qq.CompanyID = "co1"
			case "contact as source or recruiter":
				qq.ContactID = "c1"
			case "recruiter":
				qq.ContactID = "c3"
			case "event":
				qq.EventID = "e1"
			}
			if got := list(t, s, qq); got != want {
				t.Errorf("%s: %s; want %s", q, got, want)
			}
		}
	})
	t.Run("DetachAndDelete", func(t *testing.T) {
		s, a, b, other := seed(t)
		// Detach: a deleted contact leaves as source and as recruiter (order of
		// the others kept); companies and events are cleared; other users' untouched.
		at := clock.Add(time.Hour)
		ids, err := s.Detach(ctx, "u1", opportunities.RefContact, []string{"c1"}, at)
		if err != nil || len(ids) != 2 {
			t.Fatalf("detach contact: %v, %v", ids, err)
		}
		if got, _ := s.Opportunity(ctx, "u1", a.ID); got.SourceContactID != "" || fmt.Sprint(got.RecruiterIDs) != "[c2 c3]" || !got.UpdatedAt.Equal(at) {
			t.Fatalf("A after detaching c1: %+v", got)
		}
		if got, _ := s.Opportunity(ctx, "u1", b.ID); len(got.RecruiterIDs) != 0 {
			t.Fatalf("B after detaching c1: %+v", got.RecruiterIDs)
		}
		if got, _ := s.Opportunity(ctx, "u2", other.ID); got.SourceContactID != "c1" {
			t.Fatal("another user's opportunity was detached")
		}
		// Several at once, as an import's undo deletes them.
		if ids, err := s.Detach(ctx, "u1", opportunities.RefContact, []string{"c2", "c9"}, at); err != nil || fmt.Sprint(ids) != fmt.Sprint([]string{a.ID}) {
			t.Fatalf("detach c2, c9: %v, %v", ids, err)
		}
		if got, _ := s.Opportunity(ctx, "u1", a.ID); fmt.Sprint(got.RecruiterIDs) != "[c3]" {
			t.Fatalf("A after detaching c2: %v", got.RecruiterIDs)
		}
		if ids, err := s.Detach(ctx, "u1", opportunities.RefContact, nil, at); err != nil || len(ids) != 0 {
			t.Fatalf("detach nothing: %v, %v", ids, err)
		}
		for _, ref := range []opportunities.Ref{opportunities.RefCompany, opportunities.RefEvent} {
			id := map[opportunities.Ref]string{opportunities.RefCompany: "co1", opportunities.RefEvent: "e1"}[ref]
			if ids, err := s.Detach(ctx, "u1", ref, []string{id}, at); err != nil || len(ids) != 1 || ids[0] != a.ID {
				t.Fatalf("detach %s: %v, %v", ref, ids, err)
			}
		}
		if got, _ := s.Opportunity(ctx, "u1", a.ID); got.CompanyID != "" || got.SourceEventID != "" || got.NextStep != "Send CV" {
			t.Fatalf("A after detaching its company and event: %+v", got)
		}
		if err := s.DeleteOpportunity(ctx, "u1", a.ID); err != nil {
			t.Fatal(err)
		}
		if got := list(t, s, opportunities.Query{}); got != "[C B]" {
			t.Fatalf("after delete: %s", got)
		}
	})
}
