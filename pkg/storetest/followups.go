package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/record"
)

// OpenFollowups opens a fresh, empty follow-ups store for one test.
type OpenFollowups func(tb testing.TB) followup.Store

func newFollowup(userID, contactID, kind string, dueDay int) *followup.FollowUp {
	f := &followup.FollowUp{ID: nextID(), UserID: userID, ContactID: contactID, Kind: kind, DueAt: clock.AddDate(0, 0, dueDay),
		Status: followup.Pending, Note: "n", CreatedAt: clock, UpdatedAt: clock}
	f.PendingKey = followup.PendingKey(f)
	return f
}

func mustCreateFollowup(tb testing.TB, s followup.Store, f *followup.FollowUp) *followup.FollowUp {
	tb.Helper()
	if existing, err := s.CreateFollowup(context.Background(), f); err != nil || existing != nil {
		tb.Fatalf("CreateFollowup=%v, %v", existing, err)
	}
	return f
}

func idsOf(fs []followup.FollowUp) string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return fmt.Sprint(ids)
}

// Followups runs the followup.Store contract against open.
func Followups(t *testing.T, open OpenFollowups) {
	ctx := context.Background()
	t.Run("PendingOnce", func(t *testing.T) {
		s := open(t)
		first := mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.ThankYou, 1))
		dup := newFollowup("u1", "c1", followup.ThankYou, 2)
		existing, err := s.CreateFollowup(ctx, dup)
		if err != nil || existing == nil || existing.ID != first.ID {
			t.Fatalf("second thank-you: %+v, %v; want the first back", existing, err)
		}
		wantKind(t, errOf(s.Followup(ctx, "u1", dup.ID)), apperr.NotFound)
		// Custom ones repeat; other contacts and kinds are apart.
		mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.Custom, 3))
		mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.Custom, 3))
		mustCreateFollowup(t, s, newFollowup("u1", "c2", followup.ThankYou, 1))
		ended, err := s.End(ctx, "u1", []string{first.ID}, followup.Done, clock.Add(time.Hour))
		if err != nil || len(ended) != 1 || ended[0].Status != followup.Done || ended[0].EndedAt == nil || ended[0].PendingKey != first.ID {
			t.Fatalf("End=%+v, %v", ended, err)
		}
		again := newFollowup("u1", "c1", followup.ThankYou, 5)
		mustCreateFollowup(t, s, again) // the key is free once the first is done
		if ended, _ := s.End(ctx, "u1", []string{first.ID}, followup.Cancelled, clock); len(ended) != 0 {
			t.Fatalf("ending a done follow-up again: %+v", ended)
		}
		wantKind(t, errOf(s.Followup(ctx, "u2", again.ID)), apperr.NotFound)
	})
	t.Run("ListsAndFilters", func(t *testing.T) {
		s := open(t)
		a := mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.ThankYou, 3))
		b := mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.CheckIn, 1))
		c := newFollowup("u1", "c2", followup.IntroCheck, 2)
		c.IntroID, c.EncounterID, c.EventID = "i1", "e1", "ev1"
		mustCreateFollowup(t, s, c)
		d := newFollowup("u1", "c3", followup.Custom, 4)
		d.EventID = "ev1"
		mustCreateFollowup(t, s, d)
		theirs := newFollowup("u2", "c9", followup.Custom, 0)
		theirs.EventID = "ev1" // another user's, at an event of the same id
		mustCreateFollowup(t, s, theirs)
		s.End(ctx, "u1", []string{d.ID}, followup.Cancelled, clock)
		// Every page of the user's follow-ups, three at a time.
		listed := func(newestFirst bool) string {
			return fmt.Sprint(allPages(t, func(cur *record.Cursor) (*record.Page[followup.FollowUp], error) {
				return s.Followups(ctx, "u1", followup.Query{Limit: 3, Cursor: cur, NewestFirst: newestFirst})
			}, func(f *followup.FollowUp) string { return f.ID }))
		}
		if got := listed(false); got != fmt.Sprint([]string{b.ID, c.ID, a.ID, d.ID}) {
			t.Fatalf("by due_at: %s", got)
		}
		if got := listed(true); got != fmt.Sprint([]string{d.ID, a.ID, c.ID, b.ID}) {
			t.Fatalf("by due_at, newest first: %s", got)
		}
		due3 := clock.AddDate(0, 0, 3)
		for _, tc := range []struct {
			q    followup.Query
			want []string
		}{
			{followup.Query{Status: followup.Pending}, []string{b.ID, c.ID, a.ID}},
			{followup.Query{ContactID: "c1"}, []string{b.ID, a.ID}},
			{followup.Query{EventID: "ev1"}, []string{c.ID, d.ID}}, // of every status
			{followup.Query{EventID: "ev1", Status: followup.Cancelled}, []string{d.ID}},
			{followup.Query{EventID: "nope"}, nil},
			{followup.Query{DueBefore: &due3}, []string{b.ID, c.ID}},
		} {
			p, err := s.Followups(ctx, "u1", tc.q)
			if err != nil || idsOf(p.Items) != fmt.Sprint(tc.want) {
				t.Errorf("%+v: %s, %v", tc.q, idsOf(p.Items), err)
			}
		}
		for _, tc := range []struct {
			f    followup.PendingFilter
			want []string
		}{
			{followup.PendingFilter{}, []string{b.ID, c.ID, a.ID}},
			{followup.PendingFilter{Before: &due3}, []string{b.ID, c.ID}},
			{followup.PendingFilter{IDs: []string{a.ID, d.ID}}, []string{a.ID}},
			{followup.PendingFilter{ContactID: "c1", Kind: followup.ThankYou}, []string{a.ID}},
			{followup.PendingFilter{PendingKey: followup.PendingKey(a)}, []string{a.ID}},
			{followup.PendingFilter{Ref: followup.RefIntro, RefIDs: []string{"i1", "i2"}}, []string{c.ID}},
			{followup.PendingFilter{Ref: followup.RefEncounter, RefIDs: []string{"e1"}}, []string{c.ID}},
			{followup.PendingFilter{Ref: followup.RefEvent, RefIDs: []string{"nope"}}, nil},
			{followup.PendingFilter{Ref: followup.RefContact, RefIDs: []string{"c1", "c2"}}, []string{b.ID, c.ID, a.ID}},
			{followup.PendingFilter{Ref: followup.RefContact, RefIDs: []string{"c2", "nope"}}, []string{c.ID}},
			{followup.PendingFilter{Limit: 1}, []string{b.ID}},
		} {
			fs, err := s.Pending(ctx, "u1", tc.f)
			if err != nil || idsOf(fs) != fmt.Sprint(tc.want) {
				t.Errorf("%+v: %s, %v", tc.f, idsOf(fs), err)
			}
		}
		if err := s.Detach(ctx, "u1", followup.RefIntro, []string{"i1"}, clock.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Followup(ctx, "u1", c.ID); got.IntroID != "" || got.EncounterID != "e1" || !got.UpdatedAt.Equal(clock.Add(time.Hour)) {
			t.Fatalf("after Detach: %+v", got)
		}
		// Nudge records go with their follow-ups (a's, c's); another
		// user's stays.
		other := mustCreateFollowup(t, s, newFollowup("u2", "c2", followup.Custom, 1))
		nudges := []followup.Nudge{{UserID: "u1", FollowUpID: a.ID, DueAt: a.DueAt, At: clock}, {UserID: "u1", FollowUpID: c.ID, DueAt: c.DueAt, At: clock},
			{UserID: "u2", FollowUpID: other.ID, DueAt: other.DueAt, At: clock}}
		if err := s.RecordNudges(ctx, nudges); err != nil {
			t.Fatal(err)
		}
		refs := func(fs ...*followup.FollowUp) []followup.BatchItem {
			var out []followup.BatchItem
			for _, f := range fs {
				out = append(out, followup.BatchItem{ID: f.ID, DueAt: f.DueAt})
			}
			return out
		}
		removed, err := s.DeleteForContacts(ctx, "u1", []string{"c1", "c9"})
		if err != nil || len(removed) != 2 {
			t.Fatalf("DeleteForContacts=%v, %v", removed, err)
		}
		if left, err := s.Nudges(ctx, "u1", refs(a, c)); err != nil || len(left) != 1 {
			t.Fatalf("nudge records after DeleteForContacts: %v, %v (want c's only)", left, err)
		}
		// By id: the user's own only (u2's id and one of none are skipped).
		if err := s.DeleteFollowUps(ctx, "u1", []string{c.ID, other.ID, "nope"}); err != nil {
			t.Fatal(err)
		}
		if left, err := s.Nudges(ctx, "u1", refs(c)); err != nil || len(left) != 0 {
			t.Fatalf("nudge records after DeleteFollowUps: %v, %v", left, err)
		}
		if left, err := s.Nudges(ctx, "u2", refs(other)); err != nil || len(left) != 1 {
			t.Fatalf("another user's nudge record after DeleteFollowUps named its follow-up: %v, %v", left, err)
		}
		if _, err := s.Followup(ctx, "u1", c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a follow-up deleted by id: %v", err)
		}
		if _, err := s.Followup(ctx, "u2", other.ID); err != nil {
			t.Fatalf("another user's follow-up named to DeleteFollowUps: %v", err)
		}
	})
	t.Run("ChangePending", func(t *testing.T) {
		s := open(t)
		f := mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.Custom, 1))
		due, note := clock.AddDate(0, 0, 7), "bring the slides"
		got, err := s.ChangePending(ctx, "u1", f.ID, followup.Change{DueAt: &due, Note: &note, At: clock.Add(time.Minute)})
		if err != nil || !got.DueAt.Equal(due) || got.Note != note || got.Sequence != 1 || !got.UpdatedAt.Equal(clock.Add(time.Minute)) {
			t.Fatalf("ChangePending=%+v, %v", got, err)
		}
		other := "x"
		if got, _ := s.ChangePending(ctx, "u1", f.ID, followup.Change{Note: &other, At: clock}); got.Sequence != 1 {
			t.Fatalf("a note alone raised the sequence: %+v", got)
		}
		wantKind(t, errOf(s.ChangePending(ctx, "u2", f.ID, followup.Change{Note: &note, At: clock})), apperr.NotFound)
		s.End(ctx, "u1", []string{f.ID}, followup.Done, clock)
		wantKind(t, errOf(s.ChangePending(ctx, "u1", f.ID, followup.Change{Note: &note, At: clock})), apperr.NotFound)
	})
	t.Run("DoneSince", func(t *testing.T) {
		s := open(t)
		ids := map[string]string{}
		for i, who := range []string{"old", "late", "early", "cancelled", "pending", "another's"} {
			user := "u1"
			if who == "another's" {
				user = "u2"
			}
			f := mustCreateFollowup(t, s, newFollowup(user, "c"+who, followup.Custom, i+1))
			ids[f.ID] = who
			ended := map[string]time.Time{"old": clock.AddDate(0, 0, -40), "late": clock.Add(2 * time.Hour), "early": clock, "another's": clock}[who]
			switch who {
			case "cancelled":
				s.End(ctx, user, []string{f.ID}, followup.Cancelled, clock)
			case "pending":
			default:
				s.End(ctx, user, []string{f.ID}, followup.Done, ended)
			}
		}
		got, err := s.DoneSince(ctx, "u1", clock.AddDate(0, 0, -30))
		var names []string
		for _, f := range got {
			names = append(names, ids[f.ID])
		}
		if err != nil || fmt.Sprint(names) != "[early late]" {
			t.Fatalf("DoneSince(30 days back)=%v, %v; want early and late, by when they ended", names, err)
		}
		if got, err := s.DoneSince(ctx, "u1", clock.Add(time.Hour)); err != nil || len(got) != 1 || ids[got[0].ID] != "late" {
			t.Fatalf("DoneSince(an hour after the early one)=%d, %v; want the late one", len(got), err)
		}
	})
	t.Run("Queue", func(t *testing.T) {
		s := open(t)
		if err := s.Wake(ctx, "u1", clock.Add(time.Hour), "n1"); err != nil {
			t.Fatal(err)
		}
		s.Wake(ctx, "u1", clock.Add(2*time.Hour), "n2") // later: next_at stays, the nonce changes
		s.Wake(ctx, "u2", clock.Add(-time.Hour), "m1")
		s.Wake(ctx, "u3", clock.Add(24*time.Hour), "k1")
		due, err := s.DueUsers(ctx, clock.Add(90*time.Minute), 10)
		if err != nil || len(due) != 2 || due[0].UserID != "u2" || due[1].UserID != "u1" || due[1].WakeNonce != "n2" || !due[1].NextAt.Equal(clock.Add(time.Hour)) {
			t.Fatalf("DueUsers=%+v, %v", due, err)
		}
		if at, err := s.OldestDue(ctx, clock); err != nil || at == nil || !at.Equal(clock.Add(-time.Hour)) {
			t.Fatalf("OldestDue=%v, %v", at, err)
		}
		// A stale nonce does not move the next look; the current one does.
		s.SetNextLook(ctx, "u1", "n1", clock.Add(48*time.Hour))
		s.SetNextLook(ctx, "u2", "m1", clock.Add(48*time.Hour))
		due, _ = s.DueUsers(ctx, clock.Add(90*time.Minute), 10)
		if len(due) != 1 || due[0].UserID != "u1" {
			t.Fatalf("after SetNextLook: %+v", due)
		}
		if err := s.ForgetUser(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.DueUsers(ctx, clock.Add(90*time.Minute), 10); len(due) != 0 {
			t.Fatalf("a forgotten user is due: %+v", due)
		}
		if at, _ := s.OldestDue(ctx, clock.Add(-2*time.Hour)); at != nil {
			t.Fatalf("OldestDue with none due: %v", at)
		}
	})
	t.Run("Leases", func(t *testing.T) {
		s := open(t)
		won := race(t, 6, func(i int) (bool, error) { return s.ClaimLease(ctx, "u1#slot", fmt.Sprint("p", i), clock) })
		if won != 1 {
			t.Fatalf("%d owners got one lease", won)
		}
		if err := s.ReleaseLease(ctx, "u1#slot"); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimLease(ctx, "u1#slot", "p9", clock.Add(-2*time.Hour)); !ok {
			t.Fatal("a released lease cannot be taken")
		}
		if n, err := s.PurgeLeases(ctx, clock.Add(-time.Hour)); err != nil || n != 1 {
			t.Fatalf("PurgeLeases=%d, %v", n, err)
		}
	})
	t.Run("State", func(t *testing.T) {
		s := open(t)
		st, err := s.State(ctx, "u1")
		if err != nil || st.UserID != "u1" || st.Batch != nil {
			t.Fatalf("empty state: %+v, %v", st, err)
		}
		sent, retry := clock, clock.Add(5*time.Minute)
		st = &followup.State{UserID: "u1", AgendaSent: &sent, AgendaRetryAt: &retry, Batch: &followup.Batch{ID: "b1",
			Items: []followup.BatchItem{{ID: "f1", DueAt: clock}}, CreatedAt: clock, Attempts: 2, RetryAt: retry,
			Email: followup.ChannelState{Done: true}, Webhook: followup.ChannelState{Error: "webhook: 503"}}}
		if err := s.SaveState(ctx, st); err != nil {
			t.Fatal(err)
		}
		got, err := s.State(ctx, "u1")
		if err != nil || !sameJSON(got, st) {
			t.Fatalf("State=%+v, %v", got, err)
		}
		st.Batch = nil
		s.SaveState(ctx, st)
		if got, _ := s.State(ctx, "u1"); got.Batch != nil || got.AgendaSent == nil {
			t.Fatalf("after clearing the batch: %+v", got)
		}
		if all, err := s.States(ctx); err != nil || len(all) != 1 {
			t.Fatalf("States=%v, %v", all, err)
		}
	})
	t.Run("Nudges", func(t *testing.T) {
		s := open(t)
		a := mustCreateFollowup(t, s, newFollowup("u1", "c1", followup.Custom, 1))
		b := mustCreateFollowup(t, s, newFollowup("u1", "c2", followup.Custom, 2))
		c := mustCreateFollowup(t, s, newFollowup("u2", "c3", followup.Custom, 3))
		rec := []followup.Nudge{{UserID: "u1", FollowUpID: a.ID, DueAt: a.DueAt, At: clock}}
		if err := s.RecordNudges(ctx, rec); err != nil {
			t.Fatal(err)
		}
		rec[0].Failed, rec[0].Error = true, "later"
		if err := s.RecordNudges(ctx, append(rec, followup.Nudge{UserID: "u1", FollowUpID: b.ID, DueAt: b.DueAt, At: clock, Failed: true, Error: "bounced"})); err != nil {
			t.Fatal(err)
		}
		all, err := s.Nudges(ctx, "u1", nil)
		if err != nil || len(all) != 2 {
			t.Fatalf("Nudges(all)=%v, %v", all, err)
		}
		na := all[followup.NudgeKey(a.ID, a.DueAt)]
		if na.Failed || !na.At.Equal(clock) || !na.DueAt.Equal(a.DueAt) {
			t.Fatalf("a record was overwritten: %+v", na)
		}
		some, _ := s.Nudges(ctx, "u1", []followup.BatchItem{{ID: b.ID, DueAt: b.DueAt}})
		if len(some) != 1 || some[followup.NudgeKey(b.ID, b.DueAt)].Error != "bounced" {
			t.Fatalf("Nudges(b)=%v", some)
		}
		next, err := s.EarliestUnnudged(ctx)
		if err != nil || len(next) != 1 || !next["u2"].Equal(c.DueAt) {
			t.Fatalf("EarliestUnnudged=%v, %v; want u2 only", next, err)
		}
		// Re-dating a makes it due for a nudge again; the old record goes.
		due := clock.AddDate(0, 0, 9)
		s.ChangePending(ctx, "u1", a.ID, followup.Change{DueAt: &due, At: clock})
		if next, _ := s.EarliestUnnudged(ctx); !next["u1"].Equal(due) {
			t.Fatalf("after re-dating: %v", next)
		}
		if n, err := s.PurgeNudges(ctx); err != nil || n != 1 {
			t.Fatalf("PurgeNudges=%d, %v; want a's old record", n, err)
		}
	})
}
