package insights

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/followup"
)

// TestWindow: the default window is the 90 days up to now rounded up to
// the minute; from must come before to, at most three years before.
func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 24, 17, 0, 30, 0, time.UTC)
	from, to, err := Window(nil, nil, now)
	if err != nil || !to.Equal(time.Date(2026, 11, 24, 17, 1, 0, 0, time.UTC)) || to.Sub(from) != DefaultWindow {
		t.Fatalf("default window %v–%v (%v)", from, to, err)
	}
	at := func(s string) *time.Time { v, _ := time.Parse(time.RFC3339, s); return &v }
	for _, tc := range []struct {
		from, to *time.Time
		bad      bool
	}{
		{at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"), false},
		{at("2026-02-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), true},
		{at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), true},
		{at("2020-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), true},
	} {
		_, _, err := Window(tc.from, tc.to, now)
		if tc.bad != (err != nil) || tc.bad && apperr.FieldsOf(err)[0].Field != "from" {
			t.Errorf("%v–%v: %v", tc.from, tc.to, err)
		}
	}
}

// TestAssemble: topics ranked with their trend (a topic gone is falling),
// speakers merged across spellings and counted over distinct events,
// people ranked by encounters plus intros (the deleted left out), the
// follow-up rate, and lapsed contacts oldest first. Speakers count only at
// events whose talks the user saw: not cancelled, skipped or yet to come,
// nor a followed calendar's where nobody was met.
func TestAssemble(t *testing.T) {
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	from, to := now.Add(-DefaultWindow), now
	f := NewFacts()
	f.Topics[0] = map[string]int{"go": 10, "rust": 4, "wasm": 2, "": 3}
	f.Topics[1] = map[string]int{"go": 10, "rust": 1, "cobol": 5}
	f.Talks = map[SpeakerAt]int{{"Rob Pike", "e1"}: 1, {"rob pike", "e2"}: 1, {"Rob Pike", "e3"}: 1, {"Ada", "e1"}: 2, {" ", "e1"}: 1,
		{"Rob Pike", "cancelled"}: 1, {"Rob Pike", "skipped"}: 1, {"Rob Pike", "coming"}: 1, {"Rob Pike", "followed"}: 1, {"Ada", "followed"}: 5}
	before := now.Add(-time.Hour)
	f.TalkEvents = map[string]TalkEvent{
		"e1": {Status: "attended", StartsAt: before}, "e2": {Status: "planned", StartsAt: before},
		"e3": {Status: "planned", Followed: true, StartsAt: before}, "followed": {Status: "planned", Followed: true, StartsAt: before},
		"cancelled": {Status: "cancelled", StartsAt: before}, "skipped": {Status: "skipped", StartsAt: before},
		"coming": {Status: "planned", StartsAt: now},
	}
	var asked []string
	f.MetAt = func(ids []string) (map[string]bool, error) {
		asked = append(asked, ids...)
		return map[string]bool{"e3": true}, nil
	}
	f.Met = map[string]int{"c1": 5, "c2": 2, "gone": 9}
	f.Introduced = map[string]int{"c2": 4, "c3": 1}
	f.Due, f.Done, f.OnTime, f.Overdue = 3, 2, 1, 1
	last := now.AddDate(0, 0, -40)
	f.Cadenced = []Cadenced{
		{ID: "c1", Name: "Ann", Days: 30, Last: &last},
		{ID: "c4", Name: "Bo", Days: 30, Created: now.AddDate(0, 0, -100)},
		{ID: "c5", Name: "Cy", Days: 60, Last: &last},
	}
	f.People = func(ids []string) (map[string]PersonInsight, error) {
		out := map[string]PersonInsight{}
		for _, id := range ids {
			if id != "gone" {
				out[id] = PersonInsight{Name: "name of " + id}
			}
		}
		return out, nil
	}
	ins, err := Assemble(f, from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	wantTopics := []TopicInsight{{"go", 10, 10, "steady"}, {"rust", 4, 1, "rising"}, {"wasm", 2, 0, "new"}, {"cobol", 0, 5, "falling"}}
	if len(ins.Topics) != len(wantTopics) {
		t.Fatalf("topics %+v", ins.Topics)
	}
	for i, w := range wantTopics {
		if ins.Topics[i] != w {
			t.Errorf("topic %d: %+v, want %+v", i, ins.Topics[i], w)
		}
	}
	if len(ins.Speakers) != 2 || ins.Speakers[0] != (SpeakerInsight{Name: "Rob Pike", Talks: 3, Events: 3}) || ins.Speakers[1].Talks != 2 {
		t.Fatalf("speakers %+v", ins.Speakers)
	}
	if slices.Sort(asked); !slices.Equal(asked, []string{"e3", "followed"}) {
		t.Fatalf("asked where someone was met: %v", asked)
	}
	if len(ins.People) != 3 || ins.People[0].ContactID != "c2" || ins.People[1].ContactID != "c1" || ins.People[2].ContactID != "c3" ||
		ins.People[0].Name != "name of c2" {
		t.Fatalf("people %+v", ins.People)
	}
	if ins.Followups != (FollowupInsight{Due: 3, DoneOnTime: 1, Overdue: 1, CompletionRate: 0.667}) {
		t.Fatalf("follow-ups %+v", ins.Followups)
	}
	if len(ins.Lapsed) != 2 || ins.Lapsed[0].ContactID != "c4" || ins.Lapsed[1].ContactID != "c1" {
		t.Fatalf("lapsed %+v", ins.Lapsed)
	}
	if !ins.PreviousFrom.Equal(from.Add(-DefaultWindow)) {
		t.Fatalf("previous from %v", ins.PreviousFrom)
	}
	boom := errors.New("store down")
	f.MetAt = func([]string) (map[string]bool, error) { return nil, boom }
	if _, err := Assemble(f, from, to, now); !errors.Is(err, boom) {
		t.Fatalf("a failed met-at lookup: %v", err)
	}
	f.MetAt = func([]string) (map[string]bool, error) { return nil, nil }
	f.People = func([]string) (map[string]PersonInsight, error) { return nil, boom }
	if _, err := Assemble(f, from, to, now); !errors.Is(err, boom) {
		t.Fatalf("a failed people lookup: %v", err)
	}
}

// TestDoneOnTime: within a day of due counts, by ended_at, else by
// updated_at for records from before ended_at; Earlier is the earlier.
func TestDoneOnTime(t *testing.T) {
	due := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	in, late := due.Add(23*time.Hour), due.Add(25*time.Hour)
	for _, tc := range []struct {
		f    followup.FollowUp
		want bool
	}{
		{followup.FollowUp{DueAt: due, EndedAt: &in, UpdatedAt: late}, true},
		{followup.FollowUp{DueAt: due, EndedAt: &late, UpdatedAt: in}, false},
		{followup.FollowUp{DueAt: due, UpdatedAt: in}, true},
		{followup.FollowUp{DueAt: due, UpdatedAt: late}, false},
	} {
		if got := DoneOnTime(&tc.f); got != tc.want {
			t.Errorf("%+v: %v", tc.f, got)
		}
	}
	if !Earlier(in, late).Equal(in) || !Earlier(late, in).Equal(in) {
		t.Fatal("Earlier")
	}
}
