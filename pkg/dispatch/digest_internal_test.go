package dispatch

import (
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
)

func TestDigestSubject(t *testing.T) {
	jane := DigestItem{FollowUp: followup.FollowUp{Kind: followup.ThankYou}, Contact: &contacts.Contact{Name: "Jane Doe"}}
	sam := DigestItem{FollowUp: followup.FollowUp{Kind: followup.CheckIn}, Contact: &contacts.Contact{Name: "Sam Roe"}}
	prep := DigestItem{FollowUp: followup.FollowUp{Kind: followup.Prep}, Event: &events.Event{Title: "GoDays"}}
	step := DigestItem{FollowUp: followup.FollowUp{Kind: followup.Opportunity, Note: "Submit the CFP — Talk at GopherCon"}}
	for _, c := range []struct {
		name  string
		items []DigestItem
		want  string
	}{
		{"OnePerson", []DigestItem{jane}, "Follow up with Jane Doe"},
		{"TwoPeople", []DigestItem{jane, sam}, "Follow up with Jane Doe, Sam Roe"},
		{"TheBrief", []DigestItem{prep}, "Prepare for GoDays"},
		{"ANextStep", []DigestItem{step}, "Next step: Submit the CFP — Talk at GopherCon"},
		{"Mixed", []DigestItem{prep, jane, step}, "Follow up with Jane Doe; prepare for GoDays; next step: Submit the CFP — Talk at GopherCon"},
		{"More", []DigestItem{jane, prep, sam, step, jane}, "Follow up with Jane Doe; prepare for GoDays and 3 more"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := digestSubject(c.items); got != c.want {
				t.Errorf("digestSubject = %q, want %q", got, c.want)
			}
		})
	}
}
