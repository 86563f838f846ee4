package input

import (
	"sync"
	"time"
)

// zones holds the time zones LoadZone has loaded, by name: a zone is read
// and parsed from the system's database once, not for each event a page
// lists.
var zones sync.Map

// LoadZone is time.LoadLocation, remembered: a list of events asks for
// each event's zone, and loading one reads and parses a file. Only zones
// that load are kept (there are a few hundred names).
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
