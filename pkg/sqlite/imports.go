package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// CreateImport stores an import's record.
func (s *Contacts) CreateImport(ctx context.Context, im *contacts.Import) error {
	created, _ := json.Marshal(im.Created)
	before, _ := json.Marshal(im.Before)
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO imports(id, user_id, created_at, created, before, started_at) VALUES(?, ?, ?, ?, ?, ?)`,
			im.ID, im.UserID, formatTime(im.CreatedAt), string(created), string(before), nullTime(im.StartedAt))
		return translate(err, "import")
	})
}

// Import returns one of the user's import records (imports.id).
func (s *Contacts) Import(ctx context.Context, userID, id string) (*contacts.Import, error) {
	im := contacts.Import{UserID: userID}
	var at, created, before string
	var started sql.NullString
	err := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT id, created_at, created, before, started_at FROM imports WHERE id = ? AND user_id = ?`, id, userID).
		Scan(&im.ID, &at, &created, &before, &started)
	if err != nil {
		return nil, translate(err, "import")
	}
	if im.StartedAt, err = parseNullTime(started); err != nil {
		return nil, translate(err, "import")
	}
	if im.CreatedAt, err = parseTime(at); err == nil {
		if err = json.Unmarshal([]byte(created), &im.Created); err == nil {
			err = json.Unmarshal([]byte(before), &im.Before)
		}
	}
	for i := range im.Before {
		im.Before[i].UserID = userID
	}
	return &im, translate(err, "import")
}

// DeleteImport removes one of the user's import records.
func (s *Contacts) DeleteImport(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM imports WHERE id = ? AND user_id = ?`, "import", id, userID)
	})
}
