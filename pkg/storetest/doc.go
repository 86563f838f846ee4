// Package storetest is the contract every storage adapter passes: the same
// tests, run against the embedded SQLite store (pkg/sqlite) and MongoDB
// (pkg/mongodb, on a MongoDB-wire server). An adapter's test calls
// storetest.Run(t, open) once, with a function that opens a fresh, empty
// engine for each test, and every contract runs on it; a contract can
// also be run alone (storetest.Insights on a variant of a store).
package storetest

import "testing"

// race runs claim n times at once, as n processes would, and returns how
// many won; an error fails the test.
func race(t *testing.T, n int, claim func(i int) (bool, error)) int {
	t.Helper()
	wins := make(chan bool, n)
	for i := range n {
		go func() {
			ok, err := claim(i)
			if err != nil {
				t.Error(err)
			}
			wins <- ok
		}()
	}
	won := 0
	for range n {
		if <-wins {
			won++
		}
	}
	return won
}
