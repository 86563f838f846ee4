package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/pkg/search"
)

// Search finds the user's records in the full-text index of migrations
// 00019 and 00032: every term a prefix of a word ("kube"*), all of them
// required. The index holds each user's words behind the user's key
// (searchWords), so a query reads the user's own postings only, and its
// type filter is part of the match. Ranking never reads every match: the
// newest maxRanked records naming a term, and, unless those fill the page,
// the newest maxRanked matching at all, are scored by search.Rank (the
// score MongoDB gives its candidates, from the folded words the index
// keeps: search.RankWords), and the best Limit are the page, ordered by
// search.Order; the snippet is search.Snippet's.
type Search struct{ DB *DB }

var _ search.Store = (*Search)(nil)

// maxRanked bounds how many of a query's matches are ranked: the newest
// (MongoDB ranks at most as many of each collection).
const maxRanked = 1000

// matchExpr is the FTS5 query of the user's terms: each a quoted prefix
// behind the user's key, and the types as alternatives of the kind
// column. Terms are folded words (letters and digits only), so nothing in
// them is syntax; quotes are doubled all the same.
func matchExpr(userID string, terms, types []string) (all, named string) {
	key := searchKey(userID)
	quote := func(s string) string { return `"` + strings.ReplaceAll(key+s, `"`, `""`) + `"` }
	parts := make([]string, 0, len(terms)+1)
	for _, t := range terms {
		parts = append(parts, quote(t)+"*")
	}
	inName := "words_name : (" + strings.Join(parts, " OR ") + ")"
	if len(types) > 0 {
		kinds := make([]string, len(types))
		for i, t := range types {
			kinds[i] = quote("type" + t)
		}
		parts = append(parts, "kind : ("+strings.Join(kinds, " OR ")+")")
	}
	all = strings.Join(parts, " AND ")
	if len(parts) == 1 {
		// One word and no type: a record naming it holds it (FTS5 would
		// gather the word's postings once more for "all AND").
		return all, inName
	}
	return all, all + " AND " + inName
}

// unkeyed is the folded words of a words_name or words_body column
// (searchWords): each word without the user's key in front of it.
func unkeyed(words string) []string {
	out := strings.Fields(words)
	for i, w := range out {
		out[i] = w[min(len(w), searchKeyLen):]
	}
	return out
}

// candidate is a match the index names, with its score.
type candidate struct {
	seq   int64
	score float64
}

// Search implements search.Store.
func (s *Search) Search(ctx context.Context, q search.Query) ([]search.Hit, error) {
	if len(q.Terms) == 0 {
		return []search.Hit{}, nil
	}
	// An import's contacts not indexed yet are, and deleted ones still in
	// the index leave it, first.
	if err := s.DB.settleSearch(ctx, q.UserID); err != nil {
		return nil, err
	}
	all, named := matchExpr(q.UserID, q.Terms, q.Types)
	var cands []candidate
	seen := map[int64]bool{}
	for _, expr := range []string{named, all} {
		// Newest first: the index walks the postings from the end and
		// stops at maxRanked; no score is computed inside it (bm25 would
		// count every match of each term first).
		found, err := queryAll(ctx, s.DB, "search", func(r scanner) (*candidate, error) {
			var c candidate
			var name, body string
			if err := r.Scan(&c.seq, &name, &body); err != nil {
				return nil, translate(err, "search")
			}
			c.score, _ = search.RankWords(q.Terms, unkeyed(name), unkeyed(body))
			return &c, nil
		}, `SELECT rowid, coalesce(words_name, ''), coalesce(words_body, '') FROM search WHERE search MATCH ? ORDER BY rowid DESC LIMIT ?`, expr, maxRanked)
		if err != nil {
			return nil, err
		}
		for _, c := range found {
			if !seen[c.seq] && c.score > 0 {
				seen[c.seq] = true
				cands = append(cands, c)
			}
		}
		if len(cands) >= q.Limit {
			break // records naming the terms fill the page
		}
	}
	if len(cands) == 0 {
		return []search.Hit{}, nil
	}
	// The best Limit by score (the newest first among equals).
	slices.SortFunc(cands, func(a, b candidate) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.seq, a.seq)) })
	ids := make([]int64, 0, min(len(cands), q.Limit))
	for _, c := range cands[:min(len(cands), q.Limit)] {
		ids = append(ids, c.seq)
	}
	// What those records show; user_id is checked again (the key is a hash).
	found, err := queryAll(ctx, s.DB, "search", scanHit,
		`SELECT r.type, r.ref, r.title, r.contact_id, r.other_id, r.event_id, r.at, coalesce(c.name, ''), coalesce(c.body, '')
		FROM search_rows r JOIN search c ON c.rowid = r.seq
		WHERE r.seq IN (SELECT value FROM json_each(?)) AND r.user_id = ? AND r.type != 'gone'`, jsonInts(ids), q.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]search.Hit, 0, len(found))
	for _, h := range found {
		score, ok := search.Rank(q.Terms, h.text)
		if !ok {
			continue
		}
		h.Score, h.Snippet = score, search.Snippet(q.Terms, h.text)
		out = append(out, h.Hit)
	}
	search.Order(out)
	return out, nil
}

// jsonInts is ids as a JSON array, for json_each.
func jsonInts(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
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
		&h.text.Name, &h.text.Body); err != nil {
		return nil, translate(err, "search")
	}
	var err error
	h.At, err = parseNullTime(at)
	return &h, err
}
