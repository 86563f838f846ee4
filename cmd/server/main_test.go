package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/config"
	"github.com/rapport-crm/rapport/pkg/mongodb"
	"github.com/rapport-crm/rapport/pkg/mongodb/mongotest"
	"github.com/rapport-crm/rapport/pkg/netguard"
	"github.com/rapport-crm/rapport/pkg/sqlite/sqlitetest"
)

// storeDir is a data directory holding an empty store at the newest
// migration, copied from one migrated once per test binary
// (sqlitetest.Dir). Migrating a store of its own took each server of
// these tests about 2.4 s of CPU under -race; TestRestartKeepsUsersAndTokens
// starts one on an empty directory, as a first run does.
func storeDir(tb testing.TB) string {
	return sqlitetest.Dir(tb)
}

func mustConfig(tb testing.TB, env map[string]string) *config.Config {
	tb.Helper()
	if env["CRM_ADDR"] == "" {
		env["CRM_ADDR"] = "127.0.0.1:0"
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

func mustRun(tb testing.TB, cfg *config.Config) *Main {
	tb.Helper()
	m := NewMain(cfg, slog.New(slog.DiscardHandler))
	m.SelectTimeout = 500 * time.Millisecond
	m.Resolver = netguard.Offline{}
	if err := m.Run(tb.Context()); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	return m
}

func call(tb testing.TB, m *Main, method, path, token string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, "http://"+m.Addr+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestRestartKeepsUsersAndTokens(t *testing.T) {
	dir := t.TempDir()
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": dir}))
	status, out := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada"})
	if status != 201 {
		t.Fatalf("signup status=%d", status)
	}
	token := out["token"].(string)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m = mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": dir}))
	defer m.Close()
	status, out = call(t, m, "GET", "/v1/me", token, nil)
	if status != 200 {
		t.Fatalf("after restart GET /v1/me status=%d, want 200", status)
	}
	if got, want := out["email"], "ada@example.com"; got != want {
		t.Fatalf("email=%v, want %v", got, want)
	}
	// The first-user rule survives the restart too.
	if status, _ := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "eve@example.com", "name": "Eve"}); status != 403 {
		t.Fatalf("second sign-up after restart: status=%d, want 403", status)
	}
}

// TestInsightsAfterRestart: after a restart of the server on its SQLite
// file, insights count what was written before, and writes after it.
func TestInsightsAfterRestart(t *testing.T) {
	dir := storeDir(t)
	cfg := mustConfig(t, map[string]string{"CRM_DATA_DIR": dir})
	m := mustRun(t, cfg)
	_, out := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada"})
	token := out["token"].(string)
	_, ev := call(t, m, "POST", "/v1/events", token, map[string]any{"title": "Gophers", "starts_at": time.Now().Add(-48 * time.Hour).Format(time.RFC3339)})
	encounter := func(m *Main, name string) {
		t.Helper()
		status, _ := call(t, m, "POST", "/v1/events/"+ev["id"].(string)+"/encounters", token, map[string]any{
			"contact": map[string]any{"name": name}, "moment": "after_talk", "topics": []string{"Go"}})
		if status != 201 {
			t.Fatalf("encounter status=%d", status)
		}
	}
	encounter(m, "Jane")
	encounter(m, "Bob")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m = mustRun(t, cfg)
	defer m.Close()
	goCount := func() any {
		t.Helper()
		status, out := call(t, m, "GET", "/v1/insights", token, nil)
		if status != 200 {
			t.Fatalf("insights status=%d", status)
		}
		for _, x := range out["topics"].([]any) {
			if tp := x.(map[string]any); tp["name"] == "go" {
				return tp["count"]
			}
		}
		return nil
	}
	if got := goCount(); got != 2.0 {
		t.Fatalf("go counted %v times after a restart, want 2", got)
	}
	encounter(m, "Carol")
	if got := goCount(); got != 3.0 {
		t.Fatalf("go counted %v times after one more encounter, want 3", got)
	}
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestStoreDown runs the server on MONGODB_URI against an embedded store
// started by the test, stops that store, and starts it again.
func TestStoreDown(t *testing.T) {
	dbDir := filepath.Join(t.TempDir(), "db")
	dbAddr := freeAddr(t)
	startStore := func() *mongodb.DB {
		st, err := mongodb.Open(context.Background(), mongodb.Options{DataDir: dbDir, DBName: "crm", EmbeddedAddr: dbAddr, Logger: slog.New(slog.DiscardHandler), Embed: mongotest.Start})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := startStore()
	m := mustRun(t, mustConfig(t, map[string]string{"MONGODB_URI": "mongodb://" + dbAddr + "/"}))
	defer m.Close()
	_, out := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada"})
	token := out["token"].(string)

	st.Close(context.Background())
	status, body := call(t, m, "GET", "/v1/me", token, nil)
	if status != 503 {
		t.Fatalf("store down: status=%d, want 503 (%v)", status, body)
	}
	if status, _ := call(t, m, "GET", "/readyz", "", nil); status != 503 {
		t.Fatalf("store down: /readyz=%d, want 503", status)
	}
	if status, _ := call(t, m, "GET", "/healthz", "", nil); status != 200 {
		t.Fatalf("store down: /healthz=%d, want 200", status)
	}

	st = startStore()
	defer st.Close(context.Background())
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _ = call(t, m, "GET", "/v1/me", token, nil)
		if status == 200 {
			break
		}
		if status != 503 || time.Now().After(deadline) {
			t.Fatalf("after the store came back: status=%d, want 200", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestBadConfigNamesTheSetting(t *testing.T) {
	_, err := config.FromEnv(func(k string) string {
		return map[string]string{"CRM_DISPATCH_SCHEDULE": "sometimes"}[k]
	})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("CRM_DISPATCH_SCHEDULE")) {
		t.Fatalf("err=%v, want one naming CRM_DISPATCH_SCHEDULE", err)
	}
}
