//go:build race

package qr

// randomCodes is how many random card URLs TestEveryCardCodeReads reads
// back: under the race detector, which has nothing to watch in it (one
// goroutine encoding and decoding images) and makes each ten times
// slower, a fifth of them.
const randomCodes = 20
