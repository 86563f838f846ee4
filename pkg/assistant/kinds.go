package assistant

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/record"
)

// ListRecordsArgs are the arguments of list_records.
type ListRecordsArgs struct {
	Kind   string `json:"kind" jsonschema:"which kind of record (the tool's description names them)"`
	Limit  int    `json:"limit,omitempty" jsonschema:"1 to 200 (default 50)"`
	Cursor string `json:"cursor,omitempty" jsonschema:"the next_cursor of the page before, for the next page"`
}

// AddRecordArgs are the arguments of add_record.
type AddRecordArgs struct {
	Kind           string         `json:"kind" jsonschema:"which kind of record (the tool's description names them)"`
	Record         map[string]any `json:"record" jsonschema:"the record's fields, as the kind's example in the description shows; the server sets id, created_at and updated_at"`
	IdempotencyKey string         `json:"idempotency_key,omitempty" jsonschema:"any unique string; a call repeated with it adds once and answers the same"`
}

// UpdateRecordArgs are the arguments of update_record.
type UpdateRecordArgs struct {
	Kind           string         `json:"kind" jsonschema:"which kind of record"`
	ID             string         `json:"id" jsonschema:"the record's id"`
	Patch          map[string]any `json:"patch" jsonschema:"the fields to change, others as they are (a JSON merge patch: null clears one)"`
	IdempotencyKey string         `json:"idempotency_key,omitempty"`
}

// registerKinds adds the tools that serve every kind the server keeps
// (pkg/kinds) alike, each kind named with its example in their
// descriptions: an assistant reaches a new kind without a tool of its own.
func (t *tools) registerKinds(srv *mcp.Server) {
	if t.CRM == nil || len(t.CRM.Kinds) == 0 {
		return
	}
	var named []string
	for _, k := range t.CRM.Kinds {
		named = append(named, fmt.Sprintf("%s (%s; for example %s)", k.Name(), k.Title(), k.Example()))
	}
	kindsOf := " The kinds: " + strings.Join(named, "; ") + "."
	addTool(srv, &mcp.Tool{Name: "list_records", Annotations: readOnly("List records of a kind"), Description: describe(
		"List the user's records of one of the small kinds Rapport keeps, newest first, a page at a time.") + kindsOf},
		handler(t, "list_records", nil, func(ctx context.Context, u *accounts.User, in ListRecordsArgs) (any, error) {
			k, err := t.kind(in.Kind)
			if err != nil {
				return nil, err
			}
			cur, err := record.DecodeCursor(in.Cursor)
			if err != nil {
				return nil, err
			}
			return k.List(ctx, t.CRM.Docs, u.ID, in.Limit, cur)
		}))
	addTool(srv, &mcp.Tool{Name: "add_record", Annotations: adds("Add a record of a kind"), Description: describe(
		"Add a record of one of the small kinds Rapport keeps, such as a book or tool someone recommended to the user,",
		"with who recommended it and where.") + kindsOf},
		handler(t, "add_record", func(in AddRecordArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in AddRecordArgs) (any, error) {
				k, err := t.kind(in.Kind)
				if err != nil {
					return nil, err
				}
				body, err := asJSON("record", in.Record)
				if err != nil {
					return nil, err
				}
				return k.Create(ctx, t.CRM.Docs, u.ID, body, t.CRM.Now())
			}))
	addTool(srv, &mcp.Tool{Name: "update_record", Annotations: &mcp.ToolAnnotations{Title: "Change a record of a kind", DestructiveHint: &no, IdempotentHint: true, OpenWorldHint: &no},
		Description: describe("Change some fields of one of the user's records of a kind, such as marking a recommendation done once read.") + kindsOf},
		handler(t, "update_record", func(in UpdateRecordArgs) string { return in.IdempotencyKey },
			func(ctx context.Context, u *accounts.User, in UpdateRecordArgs) (any, error) {
				k, err := t.kind(in.Kind)
				if err != nil {
					return nil, err
				}
				patch, err := asJSON("patch", in.Patch)
				if err != nil {
					return nil, err
				}
				return k.Patch(ctx, t.CRM.Docs, u.ID, in.ID, patch, t.CRM.Now())
			}))
}

// kind is the kind the server keeps named name; Invalid naming the kind
// argument with those it keeps otherwise.
func (t *tools) kind(name string) (kinds.Any, error) {
	if k := kinds.Find(t.CRM.Kinds, name); k != nil {
		return k, nil
	}
	names := make([]string, len(t.CRM.Kinds))
	for i, k := range t.CRM.Kinds {
		names[i] = k.Name()
	}
	return nil, apperr.InvalidField("kind", "must be one of %s", strings.Join(names, ", "))
}

// asJSON is an object argument as the JSON a kind decodes; a missing one
// is Invalid naming it.
func asJSON(field string, v map[string]any) ([]byte, error) {
	if v == nil {
		return nil, apperr.InvalidField(field, "is required: an object of the record's fields")
	}
	return json.Marshal(v)
}
