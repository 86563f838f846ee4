package schedule_test

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/schedule"
)

func TestParse(t *testing.T) {
	for _, bad := range []string{"", "nonsense", "* * *", "0 0 30 2 *", "CRON_TZ=UTC 0 8 * * MON", "*/0 * * * *", "99 * * * *"} {
		if _, err := schedule.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want error", bad)
		}
	}
	sp, err := schedule.Parse("0 8 * * MON")
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	// Sunday 2026-03-29 is the day Berlin moves to summer time.
	got := sp.Next(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), berlin)
	if want := time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("Next=%v, want %v", got, want)
	}
}
