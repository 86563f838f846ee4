package api_test

import (
	"context"
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

// count counts documents of a collection in the test's database.
func (s *TestServer) count(tb testing.TB, coll string, filter bson.M) int64 {
	tb.Helper()
	n, err := s.Store.DB.Collection(coll).CountDocuments(context.Background(), filter)
	if err != nil {
		tb.Fatal(err)
	}
	return n
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
