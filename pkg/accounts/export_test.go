package accounts

// Hashing is the turns of bcrypt work, for tests that take them all.
var Hashing = hashing
