// Package dispatch nudges: triggered by cron, it claims each user due with
// a lease in the store, gathers their due follow-ups into one batch, sends
// it as one digest email and one signed webhook call (retried with backoff
// for a day, each channel once), records the nudges so nothing is sent
// twice, and sends the agenda email on the user's schedule. The rules of
// follow-ups themselves are pkg/followup's; the channels are pkg/delivery's.
package dispatch
