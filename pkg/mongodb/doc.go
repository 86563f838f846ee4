// Package mongodb is the MongoDB adapter of the domains' storage interfaces
// (MONGODB_URI): the official driver v2, an index for every query shape
// (named in a comment at the query), no $lookup, and correctness without
// multi-document transactions: dedupe keys are inserted before the document
// they protect, writes are ordered so that a retry after a failure repairs
// rather than duplicates. Tests run it against FerretDB 1.24 started in the
// test process, or a real MongoDB when MONGODB_URI is set for the tests;
// pkg/storetest is the contract it shares with pkg/sqlite.
package mongodb
