// Package storetest is the contract every storage adapter passes: the same
// tests, run against the embedded SQLite store (pkg/sqlite) and MongoDB
// (pkg/mongodb, on a MongoDB-wire server). An adapter's test calls, say,
// storetest.Contacts(t, open) with a function that opens a fresh, empty
// store for each test.
package storetest
