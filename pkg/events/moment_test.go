package events

import (
	"testing"
	"time"
)

func TestMomentAt(t *testing.T) {
	at := func(hm string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", "2026-11-26 "+hm)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	p := func(tm time.Time) *time.Time { return &tm }
	// Doors 18:00, talks at 18:30 and 19:15 (listed out of order), end 20:00.
	ev := &Event{StartsAt: at("18:00"), EndsAt: at("20:00"), Talks: []Talk{{Title: "Second", StartsAt: p(at("19:15"))}, {Title: "No time"}, {Title: "First", StartsAt: p(at("18:30"))}}}
	for _, c := range []struct{ at, want string }{
		{"17:00", "before_talk"}, {"18:10", "before_talk"}, {"18:30", "during_talk"}, {"19:00", "during_talk"},
		{"19:59", "during_talk"}, {"20:00", "after_talk"}, {"22:30", "after_talk"},
	} {
		if got := MomentAt(ev, at(c.at)); got != c.want {
			t.Errorf("with talks, at %s: %s; want %s", c.at, got, c.want)
		}
	}
	// Without timed talks the event is one talk.
	bare := &Event{StartsAt: at("18:00"), EndsAt: at("20:00")}
	for _, c := range []struct{ at, want string }{{"17:59", "before_talk"}, {"18:00", "during_talk"}, {"20:01", "after_talk"}} {
		if got := MomentAt(bare, at(c.at)); got != c.want {
			t.Errorf("without talks, at %s: %s; want %s", c.at, got, c.want)
		}
	}
	// A talk listed after the event's end still lasts until it starts.
	late := &Event{StartsAt: at("18:00"), EndsAt: at("19:00"), Talks: []Talk{{StartsAt: p(at("19:30"))}}}
	if got := MomentAt(late, at("19:15")); got != "before_talk" {
		t.Errorf("late talk: %s", got)
	}
}

// TestMetAt: a meeting logged with no time of its own happened when logged
// while the event is ahead, on, or over by less than StillOn; logged later
// (at the desk, from the guest list), at the event's time for its moment,
// which MomentAt reads back as that moment.
func TestMetAt(t *testing.T) {
	at := func(day, hm string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", "2026-11-"+day+" "+hm)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	p := func(tm time.Time) *time.Time { return &tm }
	talks := &Event{StartsAt: at("26", "18:00"), EndsAt: at("26", "20:00"), Talks: []Talk{{StartsAt: p(at("26", "19:15"))}, {StartsAt: p(at("26", "18:30"))}}}
	bare := &Event{StartsAt: at("26", "18:00"), EndsAt: at("26", "20:00")}
	for _, c := range []struct {
		name       string
		ev         *Event
		moment     string
		now, want  time.Time
		wantMoment string
	}{
		{"ahead", talks, "after_talk", at("25", "12:00"), at("25", "12:00"), ""},
		{"on", talks, "during_talk", at("26", "19:00"), at("26", "19:00"), ""},
		{"the drinks after", talks, "after_talk", at("27", "01:59"), at("27", "01:59"), ""},
		{"next day, before", talks, "before_talk", at("27", "09:00"), at("26", "18:00"), "before_talk"},
		{"next day, during", talks, "during_talk", at("27", "09:00"), at("26", "18:30"), "during_talk"},
		{"next day, after", talks, "after_talk", at("27", "09:00"), at("26", "20:00"), "after_talk"},
		{"next day, other", talks, "other", at("27", "09:00"), at("26", "18:00"), ""},
		{"no timed talk, before", bare, "before_talk", at("30", "09:00"), at("26", "17:59"), "before_talk"},
		{"no timed talk, during", bare, "during_talk", at("30", "09:00"), at("26", "18:00"), "during_talk"},
	} {
		got := MetAt(c.ev, c.moment, c.now)
		if !got.Equal(c.want) {
			t.Errorf("%s: %s, want %s", c.name, got.Format("02 15:04"), c.want.Format("02 15:04"))
		}
		if c.wantMoment != "" && MomentAt(c.ev, got) != c.wantMoment {
			t.Errorf("%s: MomentAt reads %s back as %s", c.name, got.Format("15:04"), MomentAt(c.ev, got))
		}
	}
}

func TestUnderWay(t *testing.T) {
	start := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	ev := &Event{StartsAt: start, EndsAt: start.Add(2 * time.Hour)}
	for _, c := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"Before", start.Add(-time.Minute), false},
		{"AtItsStart", start, true},
		{"During", start.Add(time.Hour), true},
		{"AtItsEnd", start.Add(2 * time.Hour), false},
		{"After", start.Add(3 * time.Hour), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := UnderWay(ev, c.at); got != c.want {
				t.Errorf("UnderWay at %v = %v, want %v", c.at, got, c.want)
			}
		})
	}
}
