package web_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The JSON API as the phone pages' tests (moved from pkg/api) call it to
// set up and check: the same helpers, on this package's server.

// TestServer is the running app (the name pkg/api's tests use).
type TestServer = server

// Response is a decoded HTTP response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r *Response) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("body is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// Do sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON). headers come in name, value pairs.
func (s *server) Do(tb testing.TB, method, path, token string, body any, headers ...string) *Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// MustStatus fails the test unless r has the wanted status.
func MustStatus(tb testing.TB, r *Response, want int) {
	tb.Helper()
	if r.Status != want {
		tb.Fatalf("status=%d, want %d; body: %s", r.Status, want, r.Body)
	}
}

// MustSignup creates a user (the server must allow it) and returns its
// id and token.
func (s *server) MustSignup(tb testing.TB, email string) (userID, token string) {
	tb.Helper()
	r := s.Do(tb, "POST", "/v1/signup", "", map[string]any{"email": email, "name": "User " + email})
	MustStatus(tb, r, 201)
	var out struct {
		User  struct{ ID string }
		Token string
	}
	if err := json.Unmarshal(r.Body, &out); err != nil {
		tb.Fatal(err)
	}
	return out.User.ID, out.Token
}

// MustCreateContact creates a contact and returns its id.
func (s *server) MustCreateContact(tb testing.TB, token string, body map[string]any) string {
	tb.Helper()
	r := s.Do(tb, "POST", "/v1/contacts", token, body)
	MustStatus(tb, r, 201)
	return r.JSON(tb)["id"].(string)
}

// count counts the rows of a table (collection) that match filter:
// column = value for each key. Keys come from the tests.
func (s *server) count(tb testing.TB, table string, filter bson.M) int64 {
	tb.Helper()
	if s.SQL == nil {
		n, err := s.Store.DB.Collection(table).CountDocuments(tb.Context(), filter)
		if err != nil {
			tb.Fatal(err)
		}
		return n
	}
	where, args := []string{"1"}, []any{}
	for k, v := range filter {
		where, args = append(where, k+" = ?"), append(args, v)
	}
	db, err := sql.Open("sqlite", "file:"+s.SQL.Path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM "+table+" WHERE "+strings.Join(where, " AND "), args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// MustCreateEvent creates an event (a default one when body is nil) and
// returns its id.
func (s *server) MustCreateEvent(tb testing.TB, token string, body map[string]any) string {
	tb.Helper()
	if body == nil {
		body = map[string]any{"title": "Go meetup", "starts_at": "2026-11-24T18:30:00Z"}
	}
	r := s.Do(tb, "POST", "/v1/events", token, body)
	MustStatus(tb, r, 201)
	return r.JSON(tb)["id"].(string)
}

// countOf is how many items a list answers.
func countOf(t *testing.T, s *TestServer, token, path string) int {
	t.Helper()
	r := s.Do(t, "GET", path, token, nil)
	MustStatus(t, r, 200)
	return len(r.JSON(t)["items"].([]any))
}
