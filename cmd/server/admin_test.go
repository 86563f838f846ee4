package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// TestOperatorCommands: the binary's commands, run on the data directory
// of a server that is running: users lists the accounts; token makes a
// new API token that the server takes at once (someone who lost theirs);
// delete-user deletes an account with all it holds, and not while a
// restore runs in it; a command used wrong
// says how to use it and touches nothing.
func TestOperatorCommands(t *testing.T) {
	cfg := mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_OPEN_SIGNUP": "true"})
	m := mustRun(t, cfg)
	defer m.Close()
	tokens := map[string]string{}
	for _, email := range []string{"ada@example.com", "bob@example.com"} {
		status, out := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": email, "name": "User " + email})
		if status != 201 {
			t.Fatalf("signup %s: %d", email, status)
		}
		tokens[email] = out["token"].(string)
	}
	if status, _ := call(t, m, "POST", "/v1/contacts", tokens["bob@example.com"], map[string]any{"name": "Bob's friend"}); status != 201 {
		t.Fatalf("contact: %d", status)
	}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := admin(t.Context(), cfg, args, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, _ := run("users")
	if code != 0 || !strings.Contains(out, "ada@example.com") || !strings.Contains(out, "bob@example.com") || !strings.HasPrefix(out, "EMAIL") {
		t.Fatalf("users: %d\n%s", code, out)
	}
	code, out, _ = run("token", "ADA@example.com", "laptop")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "rpt_") {
		t.Fatalf("token: %d %q", code, out)
	}
	if status, me := call(t, m, "GET", "/v1/me", tok, nil); status != 200 || me["email"] != "ada@example.com" {
		t.Fatalf("the new token: %d %v", status, me)
	}
	if code, _, errOut := run("token", "nobody@example.com"); code != 1 || !strings.Contains(errOut, "no such user") {
		t.Fatalf("a token for nobody: %d %q", code, errOut)
	}
	for _, args := range [][]string{{"token"}, {"delete-user"}, {"delete-user", "a@example.com", "b@example.com"}, {"users", "extra"}} {
		if code, _, errOut := run(args...); code != 2 || !strings.Contains(errOut, "usage: "+args[0]) {
			t.Fatalf("%v: %d %q", args, code, errOut)
		}
	}

	// A restore running in the account: the deletion waits its turn, and
	// takes nothing.
	status, bob := call(t, m, "GET", "/v1/me", tokens["bob@example.com"], nil)
	if status != 200 {
		t.Fatalf("bob: %d", status)
	}
	_, release, err := idempotency.New(m.Engine.Idempotency).Hold(t.Context(), bob["id"].(string), idempotency.Bulk, "a backup is being restored into this account", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run("delete-user", "bob@example.com"); code != 1 || !strings.Contains(errOut, "a backup is being restored") {
		t.Fatalf("delete-user during a restore: %d %q", code, errOut)
	}
	if status, _ := call(t, m, "GET", "/v1/me", tokens["bob@example.com"], nil); status != 200 {
		t.Fatalf("the account after a refused deletion: %d", status)
	}
	release()

	code, out, _ = run("delete-user", "bob@example.com")
	if code != 0 || !strings.Contains(out, "deleted bob@example.com") {
		t.Fatalf("delete-user: %d %q", code, out)
	}
	if status, _ := call(t, m, "GET", "/v1/me", tokens["bob@example.com"], nil); status != 401 {
		t.Fatalf("the deleted account's token: %d", status)
	}
	if code, out, _ = run("users"); code != 0 || strings.Contains(out, "bob@example.com") || !strings.Contains(out, "ada@example.com") {
		t.Fatalf("users after the deletion: %d\n%s", code, out)
	}
	if status, _ := call(t, m, "GET", "/v1/me", tokens["ada@example.com"], nil); status != 200 {
		t.Fatalf("the other account: %d", status)
	}
}
