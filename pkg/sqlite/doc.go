// Package sqlite is the embedded store: one SQLite file
// (CRM_DATA_DIR/rapport.db) opened in-process with modernc.org/sqlite (pure
// Go), in WAL mode with synchronous=FULL, a schema of real tables and
// indexes migrated at start by goose from the SQL files embedded here, and
// every request's writes in one transaction (DB.Update).
//
// It is the adapter of the domains' storage interfaces: it imports the
// domain packages, never the reverse (see pkg/storetest for the contract
// both adapters pass). Several server processes may open the same file:
// SQLite's locks keep writes serial, and IMMEDIATE transactions take the
// write lock at their start, so a transaction never fails half-way on an
// upgrade from reader to writer.
package sqlite
