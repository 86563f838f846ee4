package web

import "time"

// SetSyncTimeout sets how long a page waits for a calendar's sync, until
// the test ends (restore).
func SetSyncTimeout(d time.Duration) (restore func()) {
	was := syncTimeout
	syncTimeout = d
	return func() { syncTimeout = was }
}
