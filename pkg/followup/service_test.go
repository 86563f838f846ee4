package followup_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

var clock = time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)

// newService is the follow-ups domain on a real (SQLite) store; changed
// counts what the Changed hook is told.
func newService(t *testing.T) (*followup.Service, *accounts.User, *int) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlitetest.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := followup.New(&sqlite.Followups{DB: db})
	s.Now = func() time.Time { return clock }
	changed := new(int)
	s.Changed = func(context.Context, string) { *changed++ }
	u := &accounts.User{ID: "u1", Timezone: "Europe/Berlin", NudgeHour: 9,
		FollowupPolicy: accounts.Policy{ThankYouDays: 1, CheckInDays: 30, IntroCheckDays: 14}}
	return s, u, changed
}

func kinds(fs []followup.FollowUp) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind)
	}
	return strings.Join(out, ",")
}

// TestScheduling: meeting someone schedules the thank-you and check-in at
// the nudge hour in the user's zone, once per contact however often they
// are met; an intro's check, a cadence (re-dated, then cancelled) and the
// brief before an event (moved and renamed with it, cancelled with it).
func TestScheduling(t *testing.T) {
	s, u, changed := newService(t)
	ctx := t.Context()
	fs, err := s.ForEncounter(ctx, u, "c1", "en1", "ev1", "wants the FFI notes", clock)
	if err != nil || kinds(fs) != "thank_you,check_in" || *changed != 1 {
		t.Fatalf("after meeting: %s (%v), changed %d", kinds(fs), err, *changed)
	}
	if want := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC); !fs[0].DueAt.Equal(want) {
		t.Fatalf("thank-you due %v, want 9:00 Berlin the next day (%v)", fs[0].DueAt, want)
	}
	again, err := s.ForEncounter(ctx, u, "c1", "en2", "ev1", "", clock.Add(time.Hour))
	if err != nil || len(again) != 2 || again[0].ID != fs[0].ID || *changed != 1 {
		t.Fatalf("meeting again made new follow-ups: %+v (%v)", again, err)
	}
	off := *u
	off.FollowupPolicy = accounts.Policy{}
	if fs, _ := s.ForEncounter(ctx, &off, "c2", "en3", "ev1", "", clock); len(fs) != 0 {
		t.Fatalf("a policy of 0 days scheduled %s", kinds(fs))
	}
	ic, err := s.ForIntro(ctx, u, "in1", "c1", "introduced to Grace", clock)
	if err != nil || ic.Kind != followup.IntroCheck || ic.IntroID != "in1" {
		t.Fatalf("intro check: %+v (%v)", ic, err)
	}
	if none, err := s.ForIntro(ctx, &off, "in2", "c1", "", clock); none != nil || err != nil {
		t.Fatalf("an intro check with the policy off: %+v (%v)", none, err)
	}

	cadenceAndEvents(t, s, u)
}

// cadenceAndEvents: a contact's cadence keeps one stay-in-touch follow-up,
// cancelled at 0; an event's brief is due the day before at 9:00, moves with
// the event, and goes when it is cancelled.
func cadenceAndEvents(t *testing.T, s *followup.Service, u *accounts.User) {
	ctx := t.Context()
	if err := s.ForCadence(ctx, u, "c3", 30, clock); err != nil {
		t.Fatal(err)
	}
	if err := s.ForCadence(ctx, u, "c3", 60, clock); err != nil {
		t.Fatal(err)
	}
	pend, _ := s.PendingOf(ctx, "u1")
	var stay *followup.FollowUp
	for i := range pend {
		if pend[i].Kind == followup.StayInTouch {
			stay = &pend[i]
		}
	}
	if stay == nil || stay.DueAt.Sub(clock) < 59*24*time.Hour {
		t.Fatalf("the cadence's follow-up: %+v", stay)
	}
	if err := s.ForCadence(ctx, u, "c3", 0, clock); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.Get(ctx, "u1", stay.ID); f.Status != followup.Cancelled {
		t.Fatalf("a cadence of 0 left it %s", f.Status)
	}

	starts := time.Date(2026, 12, 10, 18, 0, 0, 0, time.UTC)
	if err := s.ForEvent(ctx, u, "ev9", "GoDays", starts, true); err != nil {
		t.Fatal(err)
	}
	if err := s.ForEvent(ctx, u, "ev9", "GoDays 2026", starts.AddDate(0, 0, 1), true); err != nil {
		t.Fatal(err)
	}
	prep := pendingOfKind(t, s, followup.Prep)
	if len(prep) != 1 || prep[0].Note != "Prepare for GoDays 2026" || !prep[0].DueAt.Equal(time.Date(2026, 12, 10, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("the brief: %+v", prep)
	}
	if !followup.Contactless(&prep[0]) || followup.Title(&prep[0], "") != "Prepare for GoDays 2026" {
		t.Fatal("the brief reads as its note, without a contact")
	}
	if err := s.ForEvent(ctx, u, "ev8", "Past", clock.Add(time.Hour), true); err != nil || len(pendingOfKind(t, s, followup.Prep)) != 1 {
		t.Fatalf("a brief for an event whose day-before has passed: %v", err)
	}
	if err := s.ForEvent(ctx, u, "ev9", "GoDays 2026", starts, false); err != nil || len(pendingOfKind(t, s, followup.Prep)) != 0 {
		t.Fatalf("the brief of a cancelled event stays: %v", err)
	}
}

// TestNextStep: an opportunity's next step is one pending follow-up, for
// its contact, or about no contact when it names no one (still nudged);
// it moves between the two as people are named and removed, and no due
// time cancels it.
func TestNextStep(t *testing.T) {
	s, _, _ := newService(t)
	ctx := t.Context()
	due := clock.Add(48 * time.Hour)
	step := func(contactID string, due *time.Time) followup.FollowUp {
		t.Helper()
		if err := s.ForOpportunity(ctx, "u1", "op1", contactID, "Submit the CFP — Talk at GopherCon", due); err != nil {
			t.Fatal(err)
		}
		fs := pendingOfKind(t, s, followup.Opportunity)
		if due == nil {
			if len(fs) != 0 {
				t.Fatalf("no due time left %d pending", len(fs))
			}
			return followup.FollowUp{}
		}
		if len(fs) != 1 || fs[0].ContactID != contactID || !fs[0].DueAt.Equal(*due) || fs[0].OpportunityID != "op1" {
			t.Fatalf("for %q: %+v", contactID, fs)
		}
		return fs[0]
	}
	alone := step("", &due)
	if !followup.Contactless(&alone) || followup.Title(&alone, "(deleted contact)") != "Next step: Submit the CFP — Talk at GopherCon" {
		t.Fatalf("a next step naming no one reads %q", followup.Title(&alone, "(deleted contact)"))
	}
	withJane := step("c1", &due)
	if followup.Contactless(&withJane) || followup.Title(&withJane, "Jane") != "Next step: Jane" {
		t.Fatalf("a next step for Jane reads %q", followup.Title(&withJane, "Jane"))
	}
	step("", &due)
	step("", nil)
}

func pendingOfKind(t *testing.T, s *followup.Service, kind string) []followup.FollowUp {
	t.Helper()
	pend, err := s.PendingOf(t.Context(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	var out []followup.FollowUp
	for _, f := range pend {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// TestLifecycle: a follow-up is re-dated and re-noted (checked by field),
// snoozed to a time or by days, done or cancelled once; an interaction
// resolves what it takes care of; deleting a contact takes theirs.
func TestLifecycle(t *testing.T) {
	s, u, _ := newService(t)
	ctx := t.Context()
	fs, _ := s.ForEncounter(ctx, u, "c1", "en1", "ev1", "", clock)
	ty, ci := fs[0], fs[1]
	bad := "soon"
	if _, err := s.Update(ctx, "u1", ty.ID, followup.Patch{DueAt: &bad}); apperr.FieldsOf(err)[0].Field != "due_at" {
		t.Fatalf("a bad due_at: %v", err)
	}
	due, note := "2026-11-30T10:00:00Z", "bring the book"
	up, err := s.Update(ctx, "u1", ty.ID, followup.Patch{DueAt: &due, Note: &note})
	if err != nil || up.Note != note || up.DueAt.Format(time.RFC3339) != due {
		t.Fatalf("updated %+v (%v)", up, err)
	}
	if _, err := s.Update(ctx, "u2", ty.ID, followup.Patch{Note: &note}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another user's update: %v", err)
	}
	days, past, until := 3, "2026-11-01T00:00:00Z", "2026-12-24T09:00:00Z"
	for _, tc := range []struct {
		until *string
		days  *int
		field string
	}{{nil, nil, "days"}, {&until, &days, "until"}, {&past, nil, "until"}, {&bad, nil, "until"}} {
		if _, err := s.Snooze(ctx, u, ty.ID, tc.until, tc.days); apperr.FieldsOf(err)[0].Field != tc.field {
			t.Errorf("snooze %v/%v: %v, want %s named", tc.until, tc.days, err, tc.field)
		}
	}
	if f, err := s.Snooze(ctx, u, ty.ID, nil, &days); err != nil || !f.DueAt.Equal(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("snoozed 3 days: %v (%v)", f.DueAt, err)
	}
	if f, err := s.Snooze(ctx, u, ty.ID, &until, nil); err != nil || f.DueAt.Format(time.RFC3339) != until {
		t.Fatalf("snoozed until: %v (%v)", f.DueAt, err)
	}
	if f, err := s.MarkDone(ctx, "u1", ty.ID); err != nil || f.Status != followup.Done || f.EndedAt == nil {
		t.Fatalf("done: %+v (%v)", f, err)
	}
	if _, err := s.MarkDone(ctx, "u1", ty.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("done twice: %v", err)
	}
	if _, err := s.Snooze(ctx, u, ty.ID, nil, &days); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("snoozing a done one: %v", err)
	}
	if err := s.ResolveForInteraction(ctx, "u1", "c1", ci.DueAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if f, _ := s.Get(ctx, "u1", ci.ID); f.Status != followup.Done {
		t.Fatalf("a call after the check-in's due time left it %s", f.Status)
	}
	custom, err := followup.CustomInput{ContactID: "c2", DueAt: "2026-12-01T09:00:00Z", Note: "send the deck"}.Check()
	if err != nil {
		t.Fatal(err)
	}
	made, err := s.Create(ctx, "u1", custom)
	if err != nil || made.Kind != followup.Custom {
		t.Fatalf("custom: %+v (%v)", made, err)
	}
	if _, err := (followup.CustomInput{}).Check(); apperr.FieldsOf(err)[0].Field != "contact_id" {
		t.Fatalf("an empty custom follow-up: %v", err)
	}
	if f, err := s.Cancel(ctx, "u1", made.ID); err != nil || f.Status != followup.Cancelled {
		t.Fatalf("cancelled: %+v (%v)", f, err)
	}
	s.ForEncounter(ctx, u, "c5", "en5", "ev1", "", clock)
	if err := s.DeleteForContacts(ctx, "u1", []string{"c5"}); err != nil {
		t.Fatal(err)
	}
	page, err := s.List(ctx, "u1", followup.Filter{ContactID: "c5", Limit: 10})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("follow-ups of a deleted contact: %d (%v)", len(page.Items), err)
	}
}

// TestNudgeRecords: a nudge recorded for a follow-up's due time shows as
// notified_at until it is re-dated; restored follow-ups that had been
// nudged are recorded, not nudged again.
func TestNudgeRecords(t *testing.T) {
	s, u, _ := newService(t)
	ctx := t.Context()
	fs, _ := s.ForEncounter(ctx, u, "c1", "en1", "ev1", "", clock)
	ty := fs[0]
	at := clock.Add(time.Hour)
	if err := s.Record(ctx, "u1", []followup.BatchItem{{ID: ty.ID, DueAt: ty.DueAt}}, at, false, ""); err != nil {
		t.Fatal(err)
	}
	notified, err := s.NotifiedTimes(ctx, "u1")
	if err != nil || notified(&ty) == nil || !notified(&ty).Equal(at) || notified(&fs[1]) != nil {
		t.Fatalf("notified times: %v", err)
	}
	list := []followup.FollowUp{ty, fs[1]}
	if err := s.Decorate(ctx, "u1", list); err != nil || list[0].NotifiedAt == nil || list[1].NotifiedAt != nil {
		t.Fatalf("decorated: %+v (%v)", list, err)
	}
	due := "2026-12-05T09:00:00Z"
	moved, _ := s.Update(ctx, "u1", ty.ID, followup.Patch{DueAt: &due})
	if notified, _ := s.NotifiedTimes(ctx, "u1"); notified(moved) != nil {
		t.Fatal("a re-dated follow-up still reads as notified")
	}
	restored := fs[1]
	restored.NotifiedAt = &at
	if err := s.Restored(ctx, "u1", []followup.FollowUp{restored, *moved}); err != nil {
		t.Fatal(err)
	}
	if notified, _ := s.NotifiedTimes(ctx, "u1"); notified(&restored) == nil {
		t.Fatal("a restored nudge was not recorded")
	}
	// A restore of many: each nudge recorded at its own time (they are
	// written 500 at a time).
	many := make([]followup.FollowUp, 1201)
	for i := range many {
		nudgedAt := at.Add(time.Duration(i) * time.Minute)
		many[i] = followup.FollowUp{ID: fmt.Sprintf("r%d", i), UserID: "u1", DueAt: clock, NotifiedAt: &nudgedAt}
	}
	if err := s.Restored(ctx, "u1", many); err != nil {
		t.Fatal(err)
	}
	notified, _ = s.NotifiedTimes(ctx, "u1")
	for i := range many {
		if got := notified(&many[i]); got == nil || !got.Equal(*many[i].NotifiedAt) {
			t.Fatalf("restored nudge %d of %d: %v, want %v", i+1, len(many), got, many[i].NotifiedAt)
		}
	}
}

// TestEntries: follow-ups and events as calendar entries.
func TestEntries(t *testing.T) {
	f := &followup.FollowUp{ID: "f1", Kind: followup.ThankYou, DueAt: clock, Note: "FFI notes", Sequence: 2}
	e := followup.FollowUpEntry(f, "Ada", "https://crm.example")
	if e.Summary != "Say thank you: Ada" || !strings.Contains(e.Description, "https://crm.example/app/followups#f-f1") || e.Sequence != 2 {
		t.Fatalf("entry %+v", e)
	}
	if followup.KindTitle(followup.CheckIn) == "" {
		t.Fatal("no title for a check-in")
	}
	for status, want := range map[string]string{"cancelled": "CANCELLED", "planned": "TENTATIVE", "attended": "CONFIRMED"} {
		ev := &events.Event{ID: "e1", Title: "GoDays", Status: status, Talks: []events.Talk{{Title: "Generics", Speaker: "Ian"}}}
		got := followup.EventEntry(ev, "https://crm.example")
		if got.Status != want || got.Description != "Generics — Ian" {
			t.Errorf("%s: %+v", status, got)
		}
	}
}

// TestDropStale: a month past due, the thank-you, check-in and intro check
// of a meeting long ago are stale and dropped together (cancelled, not
// done); a recent one, your own, a cadence's and another user's stay.
func TestDropStale(t *testing.T) {
	s, u, changed := newService(t)
	ctx := t.Context()
	long := clock.AddDate(0, 0, -90)
	if _, err := s.ForEncounter(ctx, u, "c1", "en1", "ev1", "", long); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForIntro(ctx, u, "in1", "c2", "", long); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForEncounter(ctx, u, "c3", "en3", "ev2", "", clock.AddDate(0, 0, -20)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(ctx, u.ID, &followup.FollowUp{ContactID: "c1", Kind: followup.Custom, DueAt: long, Note: "Send the deck"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ForCadence(ctx, u, "c4", 7, long); err != nil {
		t.Fatal(err)
	}
	other := *u
	other.ID = "u2"
	if _, err := s.ForEncounter(ctx, &other, "c9", "en9", "ev9", "", long); err != nil {
		t.Fatal(err)
	}
	before := clock.Add(-followup.StaleAge)
	if two, err := s.Stale(ctx, u.ID, before, 2); err != nil || kinds(two) != "thank_you,intro_check" {
		t.Fatalf("the two soonest due: %s (%v)", kinds(two), err)
	}
	stale, err := s.Stale(ctx, u.ID, before, followup.StaleMax)
	if err != nil || kinds(stale) != "thank_you,intro_check,check_in" {
		t.Fatalf("stale: %s (%v), want the old meeting's and intro's", kinds(stale), err)
	}
	*changed = 0
	if n, err := s.DropStale(ctx, u.ID, before); n != 3 || err != nil || *changed != 1 {
		t.Fatalf("dropped %d (%v), changed %d; want 3, once", n, err, *changed)
	}
	if n, err := s.DropStale(ctx, u.ID, before); n != 0 || err != nil {
		t.Fatalf("dropped again: %d (%v)", n, err)
	}
	left, err := s.Store.Pending(ctx, u.ID, followup.PendingFilter{})
	if err != nil || kinds(left) != "custom,stay_in_touch,thank_you,check_in" {
		t.Fatalf("left pending: %s (%v)", kinds(left), err)
	}
	for _, f := range stale {
		if got, err := s.Store.Followup(ctx, u.ID, f.ID); err != nil || got.Status != followup.Cancelled {
			t.Errorf("%s: %v (%v), want cancelled", f.Kind, got.Status, err)
		}
	}
	if theirs, err := s.Stale(ctx, "u2", before, followup.StaleMax); err != nil || len(theirs) != 2 {
		t.Fatalf("another user's stale follow-ups: %s (%v)", kinds(theirs), err)
	}
}
