// Package contacts owns the people a user meets and what happened with
// them: contacts (deduplicated by normalised email and LinkedIn URL),
// encounters at events, interactions, and introductions with their status
// rules. It stores them in their own MongoDB collections.
package contacts
