// Package followup owns follow-ups and their policy: when a thank-you,
// check-in, intro check or stay-in-touch nudge falls due (in the user's
// time zone, across DST changes), the rule that one kind is pending at most
// once per contact, and their lifecycle (done, snooze, re-date, cancel).
package followup
