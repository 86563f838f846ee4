package api

import "time"

// SetDownloadWait sets how long a download waits for the user's turn
// until the test ends.
func SetDownloadWait(t interface{ Cleanup(func()) }, d time.Duration) {
	was := downloadWait
	downloadWait = d
	t.Cleanup(func() { downloadWait = was })
}
