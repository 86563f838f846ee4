package crm_test

import (
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// TestTopicTrendKept: the hot topics by month are kept with the insights.
// Read again with nothing written through the workflows they come from
// memory (an encounter stored around them, which moves no stamp, does
// not show); a write through them shows at once.
func TestTopicTrendKept(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := t.Context()
		topics := func() []string {
			t.Helper()
			tr, err := e.crm.TopicTrend(ctx, e.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range tr.Series {
				out = append(out, s.Name)
			}
			slices.Sort(out)
			return out
		}
		if got := topics(); len(got) != 0 {
			t.Fatalf("an account with nothing logged: %v", got)
		}
		around := &contacts.Encounter{ID: record.NewID(), UserID: e.user.ID, EventID: e.ev.ID, ContactID: record.NewID(), Moment: "after_talk",
			MetAt: now.Add(-time.Hour), Topics: []string{"wasm"}, CreatedAt: now}
		if err := e.crm.Contacts.Store.CreateEncounter(ctx, around); err != nil {
			t.Fatal(err)
		}
		if got := topics(); len(got) != 0 {
			t.Fatalf("read again with no stamp moved: %v, want what was kept (none)", got)
		}
		if _, err := e.crm.LogEncounter(ctx, e.user, e.ev.ID, ada("ada@example.com")); err != nil {
			t.Fatal(err)
		}
		if got, want := topics(), []string{"go", "rust", "wasm"}; !slices.Equal(got, want) {
			t.Fatalf("after an encounter logged: %v, want %v", got, want)
		}
	})
}
