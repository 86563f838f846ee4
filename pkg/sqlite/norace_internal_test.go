//go:build !race

package sqlite

// underRace: see race_internal_test.go.
const underRace = false
