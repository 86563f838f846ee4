//go:build !race

package qr

// randomCodes: see race_test.go.
const randomCodes = 100
