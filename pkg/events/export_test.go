package events

// TakeParseTurn takes the process's turn to parse a feed, as a sync
// parsing a big one would, until release is called.
func TakeParseTurn() (release func()) {
	parseTurns <- struct{}{}
	return func() { <-parseTurns }
}
