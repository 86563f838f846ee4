package sqlite

import "context"

// Merged runs upkeep steps (the search index's pending contacts, then
// full-text merges), as the committer does when writes pause, until none
// has work left, and says how many segments each index
// then holds: a benchmark measures a store as a server that has been idle
// a while has it.
func (db *DB) Merged(ctx context.Context) (map[string]int, error) {
	if err := db.stepsUntilDone(ctx, upkeep); err != nil {
		return nil, err
	}
	n := map[string]int{}
	for _, table := range fullTextIndexes {
		var segs int
		// table is one of fullTextIndexes, never input.
		if err := db.read.QueryRowContext(ctx, `SELECT count(DISTINCT segid) FROM `+table+`_idx`).Scan(&segs); err != nil {
			return nil, err
		}
		n[table] = segs
	}
	return n, nil
}
