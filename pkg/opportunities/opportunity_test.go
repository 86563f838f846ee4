package opportunities

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

var (
	t0 = time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
)

// fieldsOf names the fields an error reports, sorted as reported.
func fieldsOf(err error) string {
	if err != nil && apperr.FieldsOf(err) == nil {
		return fmt.Sprint(err)
	}
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

// TestApply: defaults, trimming and deduplication, each refusal naming its
// field, and a history entry for each stage change (and none without one).
func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     Input
		fields string // refused fields; "" when accepted
		check  func(t *testing.T, o *Opportunity)
	}{
		{"Defaults", Input{Title: "Staff engineer"}, "", func(t *testing.T, o *Opportunity) {
			if o.Kind != "job" || o.Stage != "lead" || len(o.History) != 1 || o.History[0].Stage != "lead" || !o.History[0].At.Equal(t0) {
				t.Errorf("%+v", o)
			}
			if o.RecruiterIDs == nil || o.NextStepAt != nil {
				t.Errorf("recruiters %v, next step %v", o.RecruiterIDs, o.NextStepAt)
			}
		}},
		{"Trimmed", Input{Title: "CTO", CompanyID: " co1 ", RecruiterIDs: []string{" r1", "r2", "r1 "}, NextStepAt: "2026-12-01T09:00:00Z"}, "", func(t *testing.T, o *Opportunity) {
			if o.CompanyID != "co1" || fmt.Sprint(o.RecruiterIDs) != "[r1 r2]" || o.NextStepAt == nil || o.NextStepAt.Format(time.RFC3339) != "2026-12-01T09:00:00Z" {
				t.Errorf("%+v", o)
			}
		}},
		{"NoTitle", Input{Title: "  "}, "title", nil},
		{"BadKind", Input{Title: "x", Kind: "internship"}, "kind", nil},
		{"BadStage", Input{Title: "x", Stage: "won"}, "stage", nil},
		{"EmptyRecruiter", Input{Title: "x", RecruiterIDs: []string{"r1", " "}}, "recruiter_ids[1]", nil},
		{"TooManyRecruiters", Input{Title: "x", RecruiterIDs: strings.Split(strings.Repeat("r,", maxRecruiters+1)[:2*(maxRecruiters+1)-1], ",")}, "recruiter_ids", nil},
		{"BadTime", Input{Title: "x", NextStepAt: "next tuesday"}, "next_step_at", nil},
		{"Several", Input{Kind: "gig", Stage: "won"}, "title,kind,stage", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o Opportunity
			err := tc.in.Apply(&o, t0)
			if got := fieldsOf(err); (err == nil) != (tc.fields == "") || err != nil && got != tc.fields {
				t.Fatalf("fields %q (%v), want %q", got, err, tc.fields)
			}
			if tc.check != nil {
				tc.check(t, &o)
			}
		})
	}
}

// TestStageHistory: a move appends to the history; the same stage again
// (a patch of other fields) does not.
func TestStageHistory(t *testing.T) {
	var o Opportunity
	if err := (Input{Title: "CTO"}).Apply(&o, t0); err != nil {
		t.Fatal(err)
	}
	in := InputOf(&o)
	in.Notes = "called back"
	if err := in.Apply(&o, t1); err != nil || len(o.History) != 1 {
		t.Fatalf("a patch without a move: %v, history %v", err, o.History)
	}
	in = InputOf(&o)
	in.Stage = "offer"
	if err := in.Apply(&o, t1); err != nil || len(o.History) != 2 || o.History[1].Stage != "offer" || !o.History[1].At.Equal(t1) {
		t.Fatalf("a move: %v, history %v", err, o.History)
	}
}

// TestRules: the closed stages, what is a stage, and whom the next step's
// follow-up is for.
func TestRules(t *testing.T) {
	for _, st := range Stages {
		want := st == "accepted" || st == "declined" || st == "lost"
		if Closed(st) != want || !IsStage(st) {
			t.Errorf("%s: closed %v, stage %v", st, Closed(st), IsStage(st))
		}
	}
	if IsStage("won") || IsStage("") {
		t.Error("a stage that is not one")
	}
	for _, tc := range []struct {
		o    Opportunity
		want string
	}{
		{Opportunity{SourceContactID: "c1", RecruiterIDs: []string{"r1"}}, "c1"},
		{Opportunity{RecruiterIDs: []string{"r1", "r2"}}, "r1"},
		{Opportunity{}, ""},
	} {
		if got := tc.o.NextStepContact(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.o, got, tc.want)
		}
	}
	// InputOf round-trips through Apply.
	o := Opportunity{Title: "CTO", Kind: "advisory", Stage: "applied", CompanyID: "co", RecruiterIDs: []string{"r1"}, Notes: "n"}
	nt := t0
	o.NextStepAt = &nt
	var back Opportunity
	back.Stage = "applied"
	if err := InputOf(&o).Apply(&back, t1); err != nil || back.Title != "CTO" || back.Kind != "advisory" || back.NextStepAt == nil || !back.NextStepAt.Equal(t0) || len(back.History) != 0 {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}
