package crm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestPrepSeesEveryOpening: a guest at a company where you have an open
// lead is someone to meet, however many leads came after it. The brief
// read the newest 200 of each open stage, so a lead older than those at
// the guest's company gave no reason to meet them.
func TestPrepSeesEveryOpening(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		acme, err := e.crm.Companies.Create(ctx, e.user.ID, companies.Input{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.crm.Companies.Create(ctx, e.user.ID, companies.Input{Name: "Initech"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range record.MaxLimit + 5 { // the first, the oldest, at Acme
			co, at := other.ID, now.Add(-time.Duration(1000-i)*time.Hour)
			if i == 0 {
				co = acme.ID
			}
			o := &opportunities.Opportunity{ID: record.NewID(), UserID: e.user.ID, Title: fmt.Sprint("Role ", i), Kind: "job", Stage: "lead",
				CompanyID: co, RecruiterIDs: []string{}, History: []opportunities.StageChange{}, CreatedAt: at, UpdatedAt: at}
			if err := e.crm.Opportunities.CreateOpportunity(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		guest := events.Attendee{ID: record.NewID(), Name: "Sam Roe", Company: "Acme", Status: events.AttendeeGoing, CreatedAt: now, UpdatedAt: now}
		guest.Key = events.AttendeeKey(&guest, contacts.NormalizeLinkedIn)
		if _, _, err := e.crm.Attendees.UpsertAttendees(ctx, e.user.ID, e.ev.ID, []events.Attendee{guest}); err != nil {
			t.Fatal(err)
		}
		p, err := e.crm.Prep(ctx, e.user, e.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.ToMeet) != 1 || len(p.ToMeet[0].Reasons) == 0 || p.ToMeet[0].Reasons[0].Kind != events.ReasonOpportunity ||
			p.ToMeet[0].Reasons[0].CompanyID != acme.ID {
			t.Fatalf("to meet: %+v, want Sam for the lead at Acme", p.ToMeet)
		}
	})
}
