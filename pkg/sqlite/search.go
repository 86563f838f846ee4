package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/rapport-crm/rapport/pkg/search"
)

// Search finds the user's records in the full-text index of migrations
// 00019 and 00024: every term a prefix ("kube"*), all of them required,
// ranked by bm25 with a record's name weighing four times the rest and the
// words only input.Fold spells (alt) twice (search.Rank's weights on
// MongoDB); the snippet is search.Snippet's, as on MongoDB.
type Search struct{ DB *DB }

var _ search.Store = (*Search)(nil)

// matchExpr is the FTS5 query of terms: each a quoted prefix. Terms are
// folded words (letters and digits only), so nothing in them is syntax.
func matchExpr(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return strings.Join(parts, " ")
}

// Search implements search.Store.
func (s *Search) Search(ctx context.Context, q search.Query) ([]search.Hit, error) {
	if len(q.Terms) == 0 {
		return []search.Hit{}, nil
	}
	args := []any{matchExpr(q.Terms), q.UserID}
	types := ""
	if len(q.Types) > 0 {
		types = ` AND r.type IN (SELECT value FROM json_each(?))`
		args = append(args, jsonList(q.Types))
	}
	args = append(args, q.Limit)
	hits, err := queryAll(ctx, s.DB, "search", scanHit,
		`SELECT r.type, r.ref, r.title, r.contact_id, r.other_id, r.event_id, r.at,
			coalesce(search.name, ''), coalesce(search.body, ''), -bm25(search, 4.0, 1.0, 2.0) AS score
		FROM search JOIN search_rows r ON r.seq = search.rowid
		WHERE search MATCH ? AND r.user_id = ?`+types+`
		ORDER BY score DESC, r.type, r.ref LIMIT ?`, args...)
	for i := range hits {
		hits[i].Snippet = search.Snippet(q.Terms, hits[i].text)
		hits[i].text = search.Text{}
	}
	out := make([]search.Hit, len(hits))
	for i := range hits {
		out[i] = hits[i].Hit
	}
	return out, err
}

// hit is a found record with its text, for its snippet.
type hit struct {
	search.Hit
	text search.Text
}

func scanHit(sc scanner) (*hit, error) {
	var h hit
	var at sql.NullString
	if err := sc.Scan(&h.Type, &h.ID, &h.Title, &h.ContactID, &h.OtherID, &h.EventID, &at,
		&h.text.Name, &h.text.Body, &h.Score); err != nil {
		return nil, translate(err, "search")
	}
	var err error
	h.At, err = parseNullTime(at)
	return &h, err
}
