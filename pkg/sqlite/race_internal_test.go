//go:build race

package sqlite

// underRace: the race detector runs SQLite's transpiled C tens of times
// slower, so a test that needs a statement to outlast a moment runs a
// smaller one.
const underRace = true
