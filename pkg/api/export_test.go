package api

import "time"

// SetDownloadWait sets how long a download waits for the user's turn
// until the test ends.
func SetDownloadWait(t interface{ Cleanup(func()) }, d time.Duration) {
	was := downloadWait
	downloadWait = d
	t.Cleanup(func() { downloadWait = was })
}

// SetRequestWait sets how long a request waits for one of its user's
// turns until the test ends.
func SetRequestWait(t interface{ Cleanup(func()) }, d time.Duration) {
	was := requestWait
	requestWait = d
	t.Cleanup(func() { requestWait = was })
}
