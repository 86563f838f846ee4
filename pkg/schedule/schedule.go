// Package schedule parses the cron specs users and operators write (robfig/cron
// syntax) without ever panicking, and refuses specs that would never fire.
// Domain packages use it to compute times; only cmd/server runs a cron.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec is a parsed cron schedule.
type Spec struct{ s cron.Schedule }

// Parse parses a five-field cron spec or a descriptor (@daily, @every 1h).
// The time zone comes from the caller, so CRON_TZ= and TZ= prefixes are
// refused. A spec that does not fire within five years is an error.
func Parse(spec string) (sp Spec, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Spec{}, fmt.Errorf("is empty")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return Spec{}, fmt.Errorf("must not name a time zone; the user's timezone applies")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("is not a valid cron spec")
		}
	}()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return Spec{}, fmt.Errorf("is not a valid cron spec: %v", err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if n := s.Next(from); n.IsZero() || n.Sub(from) > 5*366*24*time.Hour {
		return Spec{}, fmt.Errorf("never fires")
	}
	return Spec{s: s}, nil
}

// Next returns the first time after t at which the spec fires, computed in
// loc (so "0 8 * * MON" means 8:00 on Mondays in loc, across DST changes).
func (sp Spec) Next(t time.Time, loc *time.Location) time.Time {
	return sp.s.Next(t.In(loc)).UTC()
}
