package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/apptest"
	"github.com/rapport-crm/rapport/pkg/engine"
	"github.com/rapport-crm/rapport/pkg/enginetest"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/routetest"
	"github.com/rapport-crm/rapport/pkg/sqlite"
	"github.com/rapport-crm/rapport/pkg/web"
)

// TestMain runs the tests (on FerretDB too when asked), then fails the
// run for an API route no test called.
func TestMain(m *testing.M) {
	apptest.KeepIdleConnections()
	os.Exit(routes.Check("pkg/api", mongotest.Run(m)))
}

// routes are the API's own routes (the pages' are pkg/web's), each of
// which this package's tests call.
var routes routetest.Routes

// TestServer is the API on a real listener with a fresh database.
type TestServer struct {
	*api.Server
	URL   string
	Clock *apptest.Clock
	// SQL is the embedded store the server runs on (nil on MongoDB).
	SQL *sqlite.DB
	// Store is the MongoDB-wire store the server runs on (nil on SQLite).
	Store *mongodb.DB
	// Routes are the API's routes ("METHOD /pattern").
	Routes map[string]bool
}

// serverOpt changes how a test server is built (the API's and the phone
// pages' deps).
type serverOpt = apptest.Option

func openSignup(d *api.Deps, _ *web.Deps) { d.OpenSignup = true }

// MustServe starts the API on 127.0.0.1:0 against a fresh embedded
// (SQLite) store, the default engine; with RAPPORT_TEST_ENGINE=mongodb the
// suite runs on the MongoDB adapter instead (FerretDB, or MONGODB_URI).
func MustServe(tb testing.TB, opts ...serverOpt) *TestServer {
	tb.Helper()
	st := enginetest.Fresh(tb)
	s := serve(tb, st.Engine, opts...)
	s.SQL, s.Store = st.SQL, st.Mongo
	return s
}

// mustServeSame starts a second server on s's store, as a second process
// would run.
func mustServeSame(tb testing.TB, s *TestServer) *TestServer {
	tb.Helper()
	if s.SQL == nil {
		return mustServeMongo(tb, s.Store)
	}
	return mustServeSQLite(tb, filepath.Dir(s.SQL.Path))
}

// mustServeSQLite starts the API on the SQLite store in dataDir; two
// servers on one directory are two processes on one store.
func mustServeSQLite(tb testing.TB, dataDir string, opts ...serverOpt) *TestServer {
	tb.Helper()
	db := enginetest.SQLite(tb, dataDir)
	s := serve(tb, enginetest.OnSQLite(tb, db), opts...)
	s.SQL = db
	return s
}

// mustServeMongo starts the API on a MongoDB-wire store (mongotest.MustOpen
// gives a fresh one); the benchmarks that seed collections directly use it.
func mustServeMongo(tb testing.TB, st *mongodb.DB, opts ...serverOpt) *TestServer {
	tb.Helper()
	s := serve(tb, enginetest.OnMongo(tb, st), opts...)
	s.Store = st
	return s
}

// serve starts the API with the pages on eng (apptest.Serve); this
// package's tests call each of the API's routes.
func serve(tb testing.TB, eng *engine.Engine, opts ...serverOpt) *TestServer {
	tb.Helper()
	s := apptest.Serve(tb, eng, opts...)
	routes.Want(s.APIRoutes)
	tb.Cleanup(func() { routes.Called(s.Registry) })
	return &TestServer{Server: s.Server, URL: s.URL, Clock: s.Clock, Routes: s.APIRoutes}
}

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

// Decode decodes the body into v.
func (r *Response) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode body: %v: %s", err, r.Body)
	}
}

// Do sends a request; body may be nil, a string (sent as is) or a value
// (sent as JSON). headers come in name, value pairs.
func (s *TestServer) Do(tb testing.TB, method, path, token string, body any, headers ...string) *Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
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
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// MustStatus fails the test unless r has the wanted status.
func MustStatus(tb testing.TB, r *Response, want int) {
	tb.Helper()
	if r.Status != want {
		tb.Fatalf("status=%d, want %d; body: %s", r.Status, want, r.Body)
	}
}

// MustSignup creates a user (the server must allow it) and returns its token.
func (s *TestServer) MustSignup(tb testing.TB, email string) (userID, token string) {
	tb.Helper()
	r := s.Do(tb, "POST", "/v1/signup", "", map[string]any{"email": email, "name": "User " + email})
	MustStatus(tb, r, 201)
	var out struct {
		User  struct{ ID string }
		Token string
	}
	r.Decode(tb, &out)
	return out.User.ID, out.Token
}

// MustProblem checks that r is a problem+json of status want and, when
// fields are given, that each is named in errors[].
func MustProblem(tb testing.TB, r *Response, want int, fields ...string) map[string]any {
	tb.Helper()
	MustStatus(tb, r, want)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		tb.Fatalf("Content-Type=%q, want application/problem+json", ct)
	}
	p := r.JSON(tb)
	if got := int(p["status"].(float64)); got != want {
		tb.Fatalf("problem status=%d, want %d", got, want)
	}
	named := map[string]bool{}
	if errs, ok := p["errors"].([]any); ok {
		for _, e := range errs {
			named[e.(map[string]any)["field"].(string)] = true
		}
	}
	for _, f := range fields {
		if !named[f] {
			tb.Fatalf("field %q not named in errors; body: %s", f, r.Body)
		}
	}
	return p
}

func netguardCheck(allowPrivate bool) accounts.URLCheck {
	return netguard.Guard{AllowPrivate: allowPrivate}.CheckURL
}
