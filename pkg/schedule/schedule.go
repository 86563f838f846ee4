// Package schedule parses the cron specs users and operators write (robfig/cron
// syntax) without ever panicking, and refuses specs that would never fire.
// It sits at the edge: cmd/server hands Parse to the accounts domain
// (accounts.New), so no domain links the cron library; only cmd/server
// runs a cron.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Spec is a parsed cron schedule.
type Spec struct{ s cron.Schedule }

// Schedule is what Parse returns: the same interface as accounts.Schedule,
// so Parse is an accounts.ParseSchedule.
type Schedule = interface {
	Next(t time.Time, loc *time.Location) time.Time
}

// Parse parses a five-field cron spec or a descriptor (@daily, @every 1h).
// The time zone comes from the caller, so CRON_TZ= and TZ= prefixes are
// refused. A spec that does not fire within five years is an error.
func Parse(spec string) (sp Schedule, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, fmt.Errorf("is empty")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, fmt.Errorf("must not name a time zone; the user's timezone applies")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("is not a valid cron spec")
		}
	}()
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("is not a valid cron spec: %v", err)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if n := s.Next(from); n.IsZero() || n.Sub(from) > 5*366*24*time.Hour {
		return nil, fmt.Errorf("never fires")
	}
	return Spec{s: s}, nil
}

// Next returns the first time after t at which the spec fires, computed in
// loc (so "0 8 * * MON" means 8:00 on Mondays in loc, across DST changes).
func (sp Spec) Next(t time.Time, loc *time.Location) time.Time {
	return sp.s.Next(t.In(loc)).UTC()
}
