package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedStoreIsNotReady: with the database file overwritten under a
// running server, /readyz answers 503 (a ping alone still answered 200) —
// once the answer of the check before it, at most a second old, is past.
func TestDamagedStoreIsNotReady(t *testing.T) {
	dir := t.TempDir()
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": dir}))
	defer m.Close()
	_, out := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada"})
	token := out["token"].(string)
	for i := range 20 {
		call(t, m, "POST", "/v1/contacts", token, map[string]any{"name": "Contact " + string(rune('A'+i))})
	}
	if status, _ := call(t, m, "GET", "/readyz", "", nil); status != 200 {
		t.Fatalf("/readyz=%d before the damage", status)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	damaged := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		keep := 0
		switch {
		case err != nil:
			continue
		case bytes.HasPrefix(data, []byte("SQLite format 3\x00")):
			keep = 100 // the database header; every page after it goes
		case strings.HasSuffix(f, "-wal") && len(data) > 32:
			keep = 32 // the WAL header; every frame after it goes
		default:
			continue
		}
		if err := os.WriteFile(f, append(data[:keep:keep], bytes.Repeat([]byte{0xA5}, len(data)-keep)...), 0o600); err != nil {
			t.Fatal(err)
		}
		damaged++
	}
	if damaged == 0 {
		t.Fatalf("no SQLite file in %s: %v", dir, files)
	}
	status, body := call(t, m, "GET", "/readyz", "", nil)
	for deadline := time.Now().Add(5 * time.Second); status == 200 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		status, body = call(t, m, "GET", "/readyz", "", nil)
	}
	if status != 503 {
		t.Fatalf("/readyz=%d with a damaged store, want 503 (%v)", status, body)
	}
	// A write fails as the store's fault (503), not as a server bug.
	if status, body := call(t, m, "POST", "/v1/contacts", token, map[string]any{"name": "After the damage"}); status != 503 {
		t.Fatalf("a write to a damaged store answered %d, want 503 (%v)", status, body)
	}
	// A download cannot pass for a whole file: an error status, or a cut
	// connection.
	req, _ := http.NewRequest("GET", "http://"+m.Addr+"/v1/contacts/export.csv", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return // cut before the headers: visible too
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && err == nil {
		t.Fatalf("export.csv answered 200 with a complete-looking body of %d bytes from a damaged store:\n%s", len(data), data)
	}
}
