package web

import "time"

// SetSyncTimeout sets how long a page waits for a calendar's sync, until
// the test ends (restore).
func SetSyncTimeout(d time.Duration) (restore func()) {
	was := syncTimeout
	syncTimeout = d
	return func() { syncTimeout = was }
}

// HoldSaving calls hold as each once-only form starts to save, until the
// test ends (restore).
func HoldSaving(hold func()) (restore func()) {
	was := saving
	saving = hold
	return func() { saving = was }
}

// SetMetShown sets how many encounters a page of an event's shows, until
// the test ends (restore).
func SetMetShown(n int) (restore func()) {
	was := metShown
	metShown = n
	return func() { metShown = was }
}

// SetTimelinePage sets how many entries of each kind a page of a contact's
// timeline reads, until the test ends (restore).
func SetTimelinePage(n int) (restore func()) {
	was := timelinePage
	timelinePage = n
	return func() { timelinePage = was }
}

// SetDoneRead sets how many follow-ups done with a contact a timeline
// reads at once, until the test ends (restore).
func SetDoneRead(n int) (restore func()) {
	was := doneRead
	doneRead = n
	return func() { doneRead = was }
}

// LogGuests is how many of an event's guests the log form offers at once.
const LogGuests = logGuests
