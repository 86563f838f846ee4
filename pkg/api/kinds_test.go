package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/api"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/kinds"
)

// TestKinds: every kind the server keeps (pkg/kinds) is served at
// /v1/<name> as every resource is — made from its example with an id and
// times the server sets, read back, listed newest first page by page,
// patched, deleted — and refuses a client's id or times. The kinds are
// read from the server, so a new one is tested without an edit here.
func TestKinds(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "alice@example.com")
	if len(s.CRM.Kinds) == 0 {
		t.Skip("the server keeps no kind")
	}
	for _, k := range s.CRM.Kinds {
		t.Run(k.Name(), func(t *testing.T) { kindCase(t, s, a, k) })
	}
}

func kindCase(t *testing.T, s *TestServer, a string, k kinds.Any) {
	base := "/v1/" + k.Name()
	var example map[string]any
	if err := json.Unmarshal([]byte(k.Example()), &example); err != nil {
		t.Fatalf("the example: %v", err)
	}
	made := s.MustCreate(t, a, base, k.Example())
	id, _ := made["id"].(string)
	if len(id) != 36 || made["created_at"] == nil || made["created_at"] != made["updated_at"] {
		t.Fatalf("made %v: want a new id and its times", made)
	}
	if got := s.Do(t, "GET", base+"/"+id, a, nil).JSON(t); !sameJSON(got, made) {
		t.Fatalf("read back %v, want %v", got, made)
	}

	t.Run("ErrClientsIDOrTimes", func(t *testing.T) {
		for _, f := range []string{"id", "created_at", "updated_at"} {
			body := map[string]any{f: "2026-01-01T00:00:00Z"}
			for k, v := range example {
				body[k] = v
			}
			MustProblem(t, s.Do(t, "POST", base, a, body), 422, f)
			MustProblem(t, s.Do(t, "PATCH", base+"/"+id, a, map[string]any{f: "x"}), 422, f)
		}
		MustProblem(t, s.Do(t, "POST", base, a, map[string]any{"no_such_field": 1}), 422, "no_such_field")
	})
	t.Run("Patched", func(t *testing.T) {
		s.Clock.Add(time.Minute)
		got := s.Do(t, "PATCH", base+"/"+id, a, k.Example()).JSON(t)
		if got["id"] != id || got["created_at"] != made["created_at"] || got["updated_at"] == made["updated_at"] {
			t.Fatalf("patched %v from %v: want the id and created_at kept, updated_at moved", got, made)
		}
		MustProblem(t, s.Do(t, "PATCH", base+"/nope", a, k.Example()), 404)
	})
	t.Run("NewestFirstInPages", func(t *testing.T) {
		ids := []string{id}
		for range 2 {
			// Ids begin with the millisecond they were made: records of one
			// millisecond are listed in any order among themselves.
			time.Sleep(2 * time.Millisecond)
			ids = append(ids, s.MustCreate(t, a, base, k.Example())["id"].(string))
		}
		first := s.Do(t, "GET", base+"?limit=2", a, nil).JSON(t)
		cursor, _ := first["next_cursor"].(string)
		second := items(t, s.Do(t, "GET", base+"?limit=2&cursor="+cursor, a, nil))
		var got []any
		for _, x := range first["items"].([]any) {
			got = append(got, x.(map[string]any)["id"])
		}
		if len(second) != 1 || len(got) != 2 || got[0] != ids[2] || got[1] != ids[1] || second[0]["id"] != ids[0] {
			t.Fatalf("pages %v then %v, want %v newest first", got, second, ids)
		}
		// A cursor of a list in another order is refused.
		for _, name := range []string{"Acme", "Initech"} {
			s.Do(t, "POST", "/v1/companies", a, map[string]any{"name": name})
		}
		other, _ := s.Do(t, "GET", "/v1/companies?limit=1", a, nil).JSON(t)["next_cursor"].(string)
		MustProblem(t, s.Do(t, "GET", base+"?cursor="+other, a, nil), 422, "cursor")
	})
	t.Run("Deleted", func(t *testing.T) {
		MustStatus(t, s.Do(t, "DELETE", base+"/"+id, a, nil), 204)
		MustProblem(t, s.Do(t, "GET", base+"/"+id, a, nil), 404)
		MustProblem(t, s.Do(t, "DELETE", base+"/"+id, a, nil), 404)
	})
}

// sameJSON reports whether a and b marshal alike.
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestKindTakesNoRoute: a kind named as a route of the API stops the
// server at its start, not a resource's requests later.
func TestKindTakesNoRoute(t *testing.T) {
	type rec struct{ kinds.Meta }
	k := kinds.Kind[rec, *rec]{Name: "contacts", What: "contact", Title: "Contacts", Check: func(*rec) error { return nil }}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "/v1/contacts") {
			t.Fatalf("a kind named contacts: %v, want a panic naming the route", r)
		}
	}()
	api.New(api.Deps{CRM: &crm.Service{Kinds: []kinds.Any{k.Any()}}})
}
