package record

// Observer, when a domain service has one, is told of every document the
// service writes for a user (a pointer to the document as stored) and of
// every id it removes (a Removed), after the write. crm keeps its insights
// ledger current with it.
type Observer func(userID string, change any)

// Tell passes a change to o, if there is one.
func (o Observer) Tell(userID string, change any) {
	if o != nil {
		o(userID, change)
	}
}

// Removed tells an Observer that documents of a collection are gone.
type Removed struct {
	Collection string
	IDs        []string
}

// Unsure tells an Observer that the user's documents changed in ways it
// was not told of (a bulk restore, a write that failed half-way), so what
// it derived from them must be rebuilt.
type Unsure struct{}

// Removal is the change to tell an Observer after DeleteReturningIDs:
// Removed on success, Unsure when the delete may have been partial.
func Removal(coll string, ids []string, err error) any {
	if err != nil {
		return Unsure{}
	}
	return Removed{Collection: coll, IDs: ids}
}
