package events

import "context"

// TakeParseTurn takes the process's turn to parse a feed, as a sync
// parsing a big one would, until release is called.
func TakeParseTurn() (release func()) {
	parseTurns <- struct{}{}
	return func() { <-parseTurns }
}

// TakeUserParseTurn takes userID's turn to wait for the parse turn, as
// one of that user's feeds being parsed would, until release is called.
func TakeUserParseTurn(userID string) (release func()) {
	release, err := userParses.Take(context.Background(), userID)
	if err != nil {
		panic(err)
	}
	return release
}
