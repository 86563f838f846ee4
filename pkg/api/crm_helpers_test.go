package api_test

import (
	"database/sql"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MustCreate POSTs body to path and returns the created resource's fields.
func (s *TestServer) MustCreate(tb testing.TB, token, path string, body any) map[string]any {
	tb.Helper()
	r := s.Do(tb, "POST", path, token, body)
	MustStatus(tb, r, 201)
	return r.JSON(tb)
}

// MustCreateEvent creates an event and returns its id.
func (s *TestServer) MustCreateEvent(tb testing.TB, token string, body map[string]any) string {
	tb.Helper()
	if body == nil {
		body = map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T18:30:00Z"}
	}
	return s.MustCreate(tb, token, "/v1/events", body)["id"].(string)
}

// MustCreateContact creates a contact and returns its id.
func (s *TestServer) MustCreateContact(tb testing.TB, token string, body map[string]any) string {
	tb.Helper()
	return s.MustCreate(tb, token, "/v1/contacts", body)["id"].(string)
}

// count counts the rows of a table in the test's store that match filter:
// column = value for each key, "$or" a list of such filters, and for intros
// "contact_ids" either side. Keys come from the tests, never from a request.
func (s *TestServer) count(tb testing.TB, table string, filter bson.M) int64 {
	tb.Helper()
	if s.SQL == nil {
		n, err := s.Store.DB.Collection(table).CountDocuments(tb.Context(), filter)
		if err != nil {
			tb.Fatal(err)
		}
		return n
	}
	where, args := sqlFilter(table, filter)
	db, err := sql.Open("sqlite", "file:"+s.SQL.Path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

func sqlFilter(table string, filter bson.M) (string, []any) {
	where, args := []string{"1"}, []any{}
	for k, v := range filter {
		switch {
		case k == "$or":
			var alts []string
			for _, f := range v.(bson.A) {
				w, a := sqlFilter(table, f.(bson.M))
				alts, args = append(alts, "("+w+")"), append(args, a...)
			}
			where = append(where, "("+strings.Join(alts, " OR ")+")")
		case table == "intros" && k == "contact_ids":
			where, args = append(where, "(contact_a = ? OR contact_b = ?)"), append(args, v, v)
		default:
			where, args = append(where, k+" = ?"), append(args, v)
		}
	}
	return strings.Join(where, " AND "), args
}

// items returns the items of a list response.
func items(tb testing.TB, r *Response) []map[string]any {
	tb.Helper()
	MustStatus(tb, r, 200)
	var out struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	r.Decode(tb, &out)
	return out.Items
}
