// Package events owns meetups, conferences and their talks: validation,
// the sequence number calendar clients rely on, listing by date range, tag
// and text, and their MongoDB collection.
package events
