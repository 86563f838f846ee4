package dav

import (
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/rapport-crm/rapport/pkg/accounts"
)

// TestDueOf: the time a task's DUE names for a user in New York who is
// nudged at 08:00.
func TestDueOf(t *testing.T) {
	u := &accounts.User{Timezone: "America/New_York", NudgeHour: 8}
	for _, tc := range []struct {
		name, value, valueType, tzid string
		want                         string
	}{
		{"ADayAlone", "20270115", "DATE", "", "2027-01-15T13:00:00Z"},
		{"Floating", "20270115T180000", "", "", "2027-01-15T23:00:00Z"},
		{"UTC", "20270115T180000Z", "", "", "2027-01-15T18:00:00Z"},
		{"ItsOwnZone", "20270115T180000", "", "Europe/Berlin", "2027-01-15T17:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ical.NewProp(ical.PropDue)
			p.Value = tc.value
			if tc.valueType != "" {
				p.Params.Set(ical.ParamValue, tc.valueType)
			}
			if tc.tzid != "" {
				p.Params.Set(ical.PropTimezoneID, tc.tzid)
			}
			got, err := dueOf(p, u)
			if err != nil || got.UTC().Format(time.RFC3339) != tc.want {
				t.Fatalf("dueOf(%s) = %v, %v; want %s", tc.value, got.UTC(), err, tc.want)
			}
		})
	}
}
