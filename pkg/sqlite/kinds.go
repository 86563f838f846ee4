package sqlite

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Docs is the kinds.Docs of the embedded store: one table, kind_docs, for
// every kind.
type Docs struct{ DB *DB }

var _ kinds.Docs = (*Docs)(nil)

const docColumns = `id, user_id, kind, body`

func scanDoc(r scanner) (*kinds.Doc, error) {
	var d kinds.Doc
	var body string
	if err := r.Scan(&d.ID, &d.UserID, &d.Kind, &body); err != nil {
		return nil, translate(err, "record")
	}
	d.Body = []byte(body)
	return &d, nil
}

// Doc returns one of the user's documents of kind (kind_docs primary key).
func (s *Docs) Doc(ctx context.Context, userID, kind, id string) (*kinds.Doc, error) {
	return scanDoc(s.DB.reader(ctx).QueryRowContext(ctx, `SELECT `+docColumns+` FROM kind_docs WHERE id = ? AND user_id = ? AND kind = ?`, id, userID, kind))
}

// docsPageQuery reads a page of a user's documents of a kind after (below)
// an id, newest first: a range of kind_docs_user in its order.
const docsPageQuery = `SELECT ` + docColumns + ` FROM kind_docs WHERE user_id = ? AND kind = ? AND id < ? ORDER BY id DESC LIMIT ?`

// Docs returns one page of the user's documents of kind, newest first
// (kind_docs_user).
func (s *Docs) Docs(ctx context.Context, userID, kind string, limit int, cursor *record.Cursor) (*record.Page[kinds.Doc], error) {
	limit = record.PageSize(limit)
	below := "~" // after every id (hex digits)
	if cursor != nil {
		if cursor.T != nil || cursor.S != nil {
			return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
		}
		below = cursor.ID
	}
	rows, err := s.DB.reader(ctx).QueryContext(ctx, docsPageQuery, userID, kind, below, limit+1)
	if err != nil {
		return nil, translate(err, "record")
	}
	return readPage(rows, limit, scanDoc, func(d *kinds.Doc) record.Cursor { return record.Cursor{ID: d.ID} })
}

// CreateDoc stores a new document.
func (s *Docs) CreateDoc(ctx context.Context, d *kinds.Doc) error {
	return s.DB.Update(ctx, func(tx *Tx) error { return tx.createDoc(ctx, d) })
}

func (tx *Tx) createDoc(ctx context.Context, d *kinds.Doc) error {
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO kind_docs(`+docColumns+`) VALUES(?, ?, ?, ?)`, d.ID, d.UserID, d.Kind, string(d.Body))
	return translate(err, "record")
}

// UpdateDoc replaces the body of the user's document.
func (s *Docs) UpdateDoc(ctx context.Context, d *kinds.Doc) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `UPDATE kind_docs SET body = ? WHERE id = ? AND user_id = ? AND kind = ?`, "record", string(d.Body), d.ID, d.UserID, d.Kind)
	})
}

// DeleteDoc removes one of the user's documents of kind.
func (s *Docs) DeleteDoc(ctx context.Context, userID, kind, id string) error {
	return s.DB.Update(ctx, func(tx *Tx) error {
		return tx.writeOwned(ctx, `DELETE FROM kind_docs WHERE id = ? AND user_id = ? AND kind = ?`, "record", id, userID, kind)
	})
}

// DocArchive walks and restores the user's documents of every kind.
func (s *Docs) DocArchive() record.Archive[kinds.Doc] {
	return archive[kinds.Doc]{db: s.DB, table: "kind_docs", columns: docColumns, scan: scanDoc, insert: (*Tx).createDoc}
}
