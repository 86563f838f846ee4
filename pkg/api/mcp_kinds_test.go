package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestMCPKinds: every kind the server keeps (pkg/kinds) is reached from an
// assistant through list_records, add_record and update_record, which
// name each kind with its example: a record added once per idempotency
// key, listed, changed by a merge patch, the user's alone; a kind, a
// record or an id that is none is a tool error naming the argument.
func TestMCPKinds(t *testing.T) {
	s := MustServe(t, openSignup)
	_, tok := s.MustSignup(t, "ada@example.com")
	_, eve := s.MustSignup(t, "eve@example.com")
	cs := mustMCP(t, s, tok)
	list, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tool := range list.Tools {
		for _, k := range s.CRM.Kinds {
			if strings.HasSuffix(tool.Name, "_record") || tool.Name == "list_records" {
				if !strings.Contains(tool.Description, k.Name()+" (") || !strings.Contains(tool.Description, k.Example()) {
					t.Errorf("%s does not name %s with its example: %s", tool.Name, k.Name(), tool.Description)
				}
			}
		}
	}
	for _, k := range s.CRM.Kinds {
		t.Run(k.Name(), func(t *testing.T) {
			var example map[string]any
			if err := json.Unmarshal([]byte(k.Example()), &example); err != nil {
				t.Fatal(err)
			}
			args := map[string]any{"kind": k.Name(), "record": example, "idempotency_key": "r1"}
			made, msg := call(t, cs, "add_record", args)
			if msg != "" || made["id"] == nil {
				t.Fatalf("add_record: %v %s", made, msg)
			}
			id := made["id"].(string)
			if again, _ := call(t, cs, "add_record", args); again["id"] != id {
				t.Fatalf("a repeated key added %v, want %s again", again["id"], id)
			}
			if got := s.Do(t, "GET", "/v1/"+k.Name()+"/"+id, tok, nil).JSON(t); !sameJSON(got, made) {
				t.Fatalf("the API reads %v, the tool answered %v", got, made)
			}
			page, _ := call(t, cs, "list_records", map[string]any{"kind": k.Name()})
			if items, _ := page["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id {
				t.Fatalf("list_records: %v", page)
			}
			s.Clock.Add(time.Minute)
			changed, msg := call(t, cs, "update_record", map[string]any{"kind": k.Name(), "id": id, "patch": example})
			if msg != "" || changed["id"] != id || changed["updated_at"] == made["updated_at"] || changed["created_at"] != made["created_at"] {
				t.Fatalf("update_record: %v %s", changed, msg)
			}
			for tool, bad := range map[string]map[string]any{
				"add_record":    {"kind": "no_such_kind", "record": example},
				"list_records":  {"kind": ""},
				"update_record": {"kind": k.Name(), "id": id},
			} {
				want := map[string]string{"add_record": "kind", "list_records": "kind", "update_record": "patch"}[tool]
				if _, msg := call(t, cs, tool, bad); !strings.Contains(msg, want) {
					t.Errorf("%s %v: %q, want an error naming %s", tool, bad, msg, want)
				}
			}
			withID := map[string]any{"id": "mine"}
			for f, v := range example {
				withID[f] = v
			}
			if _, msg := call(t, cs, "add_record", map[string]any{"kind": k.Name(), "record": withID}); !strings.Contains(msg, "id") {
				t.Errorf("a record with its own id: %q", msg)
			}
			eves := mustMCP(t, s, eve)
			if _, msg := call(t, eves, "update_record", map[string]any{"kind": k.Name(), "id": id, "patch": example}); !strings.Contains(msg, "not found") {
				t.Errorf("Eve's update of Ada's record: %q, want not found", msg)
			}
			if page, _ := call(t, eves, "list_records", map[string]any{"kind": k.Name()}); len(page["items"].([]any)) != 0 {
				t.Errorf("Eve lists %v", page)
			}
		})
	}
}
