package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/record"
)

// importColumns are the columns of an import's record, lists included.
const importColumns = `id, created_at, created, before, extra_filled, added, started_at, kind, state, updated_at, created_n, updated_n, undone_at`

// CreateImport stores an import's record (imports).
func (s *Contacts) CreateImport(ctx context.Context, im *contacts.Import) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO imports(user_id, `+importColumns+`) VALUES(?, `+placeholders(13)+`)`,
			append([]any{im.UserID}, importArgs(im)...)...)
		return translate(err, "import")
	})
}

// UpdateImport replaces one of the user's import records (imports.id,
// scoped by user_id).
func (s *Contacts) UpdateImport(ctx context.Context, im *contacts.Import) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `UPDATE imports SET (`+importColumns+`) = (`+placeholders(13)+`) WHERE id = ? AND user_id = ?`,
			"import", append(importArgs(im), im.ID, im.UserID)...)
	})
}

func importArgs(im *contacts.Import) []any {
	created, _ := json.Marshal(im.Created)
	before, _ := json.Marshal(im.Before)
	filled, added := []byte("[]"), []byte("[]")
	if len(im.ExtraFilled) > 0 {
		filled, _ = json.Marshal(im.ExtraFilled)
	}
	if len(im.Added) > 0 {
		added, _ = json.Marshal(im.Added)
	}
	return []any{im.ID, formatTime(im.CreatedAt), string(created), string(before), string(filled), string(added), nullTime(im.StartedAt), im.Kind, im.State,
		nullTime(im.UpdatedAt), im.CreatedN, im.UpdatedN, nullTime(im.UndoneAt)}
}

// Import returns one of the user's import records (imports.id).
func (s *Contacts) Import(ctx context.Context, userID, id string) (*contacts.Import, error) {
	row := s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports WHERE id = ? AND user_id = ?`, id, userID)
	im, err := scanImport(row, true)
	if err != nil {
		return nil, err
	}
	im.UserID = userID
	for i := range im.Before {
		im.Before[i].UserID = userID
	}
	return im, nil
}

// Imports returns one page of the user's import records, newest first
// (imports_user), without their lists.
func (s *Contacts) Imports(ctx context.Context, userID string, limit int, cur *record.Cursor) (*record.Page[contacts.Import], error) {
	var sb strings.Builder
	sb.WriteString(`SELECT ` + strings.NewReplacer("created, before, extra_filled, added,", "'[]', '[]', '[]', '[]',").Replace(importColumns) + ` FROM imports WHERE user_id = ?`)
	return pageByTime(ctx, s.DB, &sb, []any{userID}, cur, "created_at", true, record.PageSize(limit), "import",
		func(r scanner) (*contacts.Import, error) { return scanImport(r, false) },
		func(im *contacts.Import) record.Cursor { return record.Cursor{T: &im.CreatedAt, ID: im.ID} })
}

// scanImport reads a row of importColumns; lists says whether created,
// before, extra_filled and added were selected (the list of imports reads '[]'
// in their place).
func scanImport(r scanner, lists bool) (*contacts.Import, error) {
	var im contacts.Import
	var at, created, before, filled, added string
	var started, updated, undone sql.NullString
	if err := r.Scan(&im.ID, &at, &created, &before, &filled, &added, &started, &im.Kind, &im.State, &updated, &im.CreatedN, &im.UpdatedN, &undone); err != nil {
		return nil, translate(err, "import")
	}
	var err error
	if im.CreatedAt, err = parseTime(at); err != nil {
		return nil, translate(err, "import")
	}
	for _, t := range []struct {
		s   sql.NullString
		dst **time.Time
	}{{started, &im.StartedAt}, {updated, &im.UpdatedAt}, {undone, &im.UndoneAt}} {
		if *t.dst, err = parseNullTime(t.s); err != nil {
			return nil, translate(err, "import")
		}
	}
	if lists {
		for _, l := range []struct {
			s   string
			dst any
		}{{created, &im.Created}, {before, &im.Before}, {filled, &im.ExtraFilled}, {added, &im.Added}} {
			if err = json.Unmarshal([]byte(l.s), l.dst); err != nil {
				break
			}
		}
	}
	return &im, translate(err, "import")
}

// DeleteImport removes one of the user's import records.
func (s *Contacts) DeleteImport(ctx context.Context, userID, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM imports WHERE id = ? AND user_id = ?`, "import", id, userID)
	})
}
