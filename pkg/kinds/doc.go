// Package kinds keeps the small resources whose records are read by id
// and listed newest first, and by nothing else: each is a kind of
// document in one store both engines implement (Docs). Such a resource
// is a type embedding Meta, its rules and a Kind value in its own
// package; the API's routes (/v1/<kind>), a backup's records, the
// contract both engines pass and deleting an account serve every kind
// alike, so adding one touches no adapter, no store contract, no backup
// section and no route list. A resource with other query shapes (by a
// contact, by a date, by a key that must be unique) gets a table and a
// collection of its own instead.
package kinds
