package sqlite

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestParseTimeAsTimeParse: parseTime reads what formatTime writes, and
// any other text, as time.Parse(timeFormat) does: the same time and
// location, or an error where it gives one.
func TestParseTimeAsTimeParse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		at := time.UnixMilli(r.Int64N(1<<45) - 1<<44).UTC()
		sameAsTimeParse(t, formatTime(at))
	}
	for _, s := range timeCases() {
		sameAsTimeParse(t, s)
	}
}

func timeCases() []string {
	return []string{"2026-12-03T19:42:46.123Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
		"2024-02-29T12:00:00.000Z", "2026-02-29T12:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-13-01T00:00:00.000Z",
		"2026-00-10T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T00:60:00.000Z",
		"2026-01-01T00:00:60.000Z", "2026-01-01T00:00:00.000+", "2026-01-01 00:00:00.000Z", "2026-1-01T00:00:00.000Z",
		"2026-01-01T00:00:00.0000", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.00aZ", "+026-01-01T00:00:00.000Z",
		"2026-01-01T00:00:00.000ZZ", "", "x"}
}

func sameAsTimeParse(t *testing.T, s string) {
	t.Helper()
	got, err := parseTime(s)
	want, wantErr := time.Parse(timeFormat, s)
	if (err == nil) != (wantErr == nil) || got != want {
		t.Fatalf("%q: read as %v (%v), time.Parse reads %v (%v)", s, got, err, want, wantErr)
	}
}

// FuzzParseTime: any text, read as time.Parse reads it.
func FuzzParseTime(f *testing.F) {
	for _, s := range timeCases() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameAsTimeParse(t, s) })
}
