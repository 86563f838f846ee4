package sqlite

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// cardGroupColumns are the columns of a group card, as scanCardGroup
// reads them and insertCardGroup writes them.
const cardGroupColumns = `user_id, dav_name, id, name, card, updated_at`

// insertCardGroup inserts a group card (cardGroupArgs).
const insertCardGroup = `INSERT INTO card_groups(` + cardGroupColumns + `) VALUES(?, ?, ?, ?, ?, ?)`

func cardGroupArgs(g *contacts.CardGroup) []any {
	return []any{g.UserID, g.DAVName, g.ID, g.Name, g.Card, formatTime(g.UpdatedAt)}
}

// CardGroupArchive walks the user's group cards by id (card_groups_id)
// and restores them as they are.
func (s *Contacts) CardGroupArchive() record.Archive[contacts.CardGroup] {
	return archive[contacts.CardGroup]{db: s.DB, table: "card_groups", columns: cardGroupColumns, scan: scanCardGroup,
		insert: func(tx *Tx, ctx context.Context, g *contacts.CardGroup) error {
			_, err := tx.tx.ExecContext(ctx, insertCardGroup, cardGroupArgs(g)...)
			return translate(err, "group card")
		}}
}

// CardGroup returns the user's group card named davName (card_groups'
// key).
func (s *Contacts) CardGroup(ctx context.Context, userID, davName string) (*contacts.CardGroup, error) {
	row := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+cardGroupColumns+` FROM card_groups WHERE user_id = ? AND dav_name = ?`, userID, davName)
	return scanCardGroup(row)
}

// CardGroups returns the user's group cards, by name (card_groups' key).
func (s *Contacts) CardGroups(ctx context.Context, userID string) ([]contacts.CardGroup, error) {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT `+cardGroupColumns+` FROM card_groups WHERE user_id = ? ORDER BY dav_name`, userID)
	if err != nil {
		return nil, translate(err, "group card")
	}
	defer rows.Close()
	out := []contacts.CardGroup{}
	for rows.Next() {
		g, err := scanCardGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *g)
	}
	return out, translate(rows.Err(), "group card")
}

// CardGroupEntries returns the user's group cards' names and sizes, by
// name (card_groups' key). octet_length reads a card's length from its
// row's header, not the card.
func (s *Contacts) CardGroupEntries(ctx context.Context, userID string) ([]contacts.CardGroupEntry, error) {
	rows, err := s.DB.reader(ctx).QueryContext(ctx, `SELECT dav_name, name, octet_length(card) FROM card_groups WHERE user_id = ? ORDER BY dav_name`, userID)
	if err != nil {
		return nil, translate(err, "group card")
	}
	defer rows.Close()
	out := []contacts.CardGroupEntry{}
	for rows.Next() {
		var e contacts.CardGroupEntry
		if err := rows.Scan(&e.DAVName, &e.Name, &e.Bytes); err != nil {
			return nil, translate(err, "group card")
		}
		out = append(out, e)
	}
	return out, translate(rows.Err(), "group card")
}

// PutCardGroup stores g, or replaces the user's group card of its name
// (keeping that card's id). The write and the user's totals after it
// (card_group_totals, which triggers keep) are one transaction, undone
// when the cards would not fit, so writers at once never pass fit
// together.
func (s *Contacts) PutCardGroup(ctx context.Context, g *contacts.CardGroup, fit func(n, bytes int) bool) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		var id string
		row := tx.tx.QueryRowContext(ctx, insertCardGroup+`
			ON CONFLICT (user_id, dav_name) DO UPDATE SET name = excluded.name, card = excluded.card, updated_at = excluded.updated_at
			RETURNING id`, cardGroupArgs(g)...)
		if err := row.Scan(&id); err != nil {
			return translate(err, "group card")
		}
		var n, size int
		row = tx.tx.QueryRowContext(ctx, `SELECT cards, bytes FROM card_group_totals WHERE user_id = ?`, g.UserID)
		if err := row.Scan(&n, &size); err != nil {
			return translate(err, "group card")
		}
		if !fit(n, size) {
			return contacts.ErrCardGroupsFull
		}
		g.ID = id
		return nil
	})
}

// DeleteCardGroup removes the user's group card named davName.
func (s *Contacts) DeleteCardGroup(ctx context.Context, userID, davName string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM card_groups WHERE user_id = ? AND dav_name = ?`, "group card", userID, davName)
	})
}

// scanCardGroup reads a row of cardGroupColumns.
func scanCardGroup(r scanner) (*contacts.CardGroup, error) {
	var g contacts.CardGroup
	var at string
	if err := r.Scan(&g.UserID, &g.DAVName, &g.ID, &g.Name, &g.Card, &at); err != nil {
		return nil, translate(err, "group card")
	}
	var err error
	g.UpdatedAt, err = parseTime(at)
	return &g, translate(err, "group card")
}
