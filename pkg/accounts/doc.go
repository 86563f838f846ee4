// Package accounts owns users, their settings and their API tokens: sign-up
// (the first user, or anyone when sign-up is open), authentication by bearer
// token (stored only as a SHA-256 hash, compared in constant time), and the
// settings PATCH /v1/me changes.
package accounts
