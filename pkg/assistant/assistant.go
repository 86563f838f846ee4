// Package assistant serves the Model Context Protocol at /mcp (PRODUCT.md
// §9) with the official Go SDK, so an assistant can search the CRM, log
// an encounter, list and complete follow-ups, make an intro and brief the
// user before a meeting. Streamable HTTP, stateless (every POST answers
// JSON; no sessions to keep across processes), behind the API's bearer
// token. Every tool runs the workflows the API runs, for the token's user
// only, with its validation; the tools that write take an optional
// idempotency_key, kept in the API's idempotency store.
package assistant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// Deps are what the tools work with.
type Deps struct {
	CRM         *crm.Service
	Idempotency *idempotency.Store
	Logger      *slog.Logger
	// UserOf returns the user the request was authenticated as, or nil:
	// the API authenticates the bearer token before the request gets here.
	UserOf func(*http.Request) *accounts.User
	// MaxBody bounds a request's body.
	MaxBody int64
	Version string
}

type tools struct{ Deps }

// Handler is the /mcp endpoint.
func Handler(d Deps) http.Handler {
	t := &tools{d}
	srv := mcp.NewServer(&mcp.Implementation{Name: "rapport", Title: "Rapport", Version: d.Version}, &mcp.ServerOptions{
		Instructions: "Rapport is the user's networking-event CRM: people they met, at which events, what they talked about, " +
			"intros they made and follow-ups due. Search before you log, so a contact is not made twice; brief the user with prep_brief before a meeting.",
		Logger: d.Logger,
	})
	t.register(srv)
	t.registerKinds(srv)
	srv.AddReceivingMiddleware(nullsAbsent)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true, MaxRequestBodyBytes: d.MaxBody, Logger: d.Logger,
			// The bearer token is what keeps a web page (DNS rebinding
			// included) out; the SDK's Host check would refuse every call
			// through a reverse proxy on the same machine (deploy/).
			DisableLocalhostProtection: true})
	verify := func(_ context.Context, _ string, r *http.Request) (*auth.TokenInfo, error) {
		u := d.UserOf(r)
		if u == nil {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{UserID: u.ID, Extra: map[string]any{userKey: u}}, nil
	}
	return auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(methodNotFound(h, d.MaxBody))
}

// nullsAbsent takes a tool call's null arguments as not given, at the top
// and one object down (log_encounter's contact): assistants send null for
// an optional argument they leave out, and the SDK's schema check refused
// it as "type: <invalid reflect.Value> has type \"null\"". A required one
// sent as null is then refused as missing, by name. The body is at most
// MaxBody, and two levels are read however deep it nests.
func nullsAbsent(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		if p, ok := req.GetParams().(*mcp.CallToolParamsRaw); ok && method == "tools/call" {
			p.Arguments = withoutNulls(p.Arguments, 2)
		}
		return next(ctx, method, req)
	}
}

// withoutNulls is raw without its null members, in levels levels of
// objects; anything else (not an object, not JSON) is raw as it was, for
// the SDK to refuse. Arguments with no null member, as most calls are,
// are raw as sent, neither decoded nor encoded again.
func withoutNulls(raw json.RawMessage, levels int) json.RawMessage {
	if !bytes.Contains(raw, []byte("null")) {
		return raw
	}
	out, _ := dropNulls(raw, levels)
	return out
}

// dropNulls is withoutNulls, and reports whether it dropped a member.
func dropNulls(raw json.RawMessage, levels int) (json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if t := bytes.TrimSpace(raw); levels == 0 || len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &obj) != nil {
		return raw, false
	}
	dropped := false
	for k, v := range obj {
		if string(bytes.TrimSpace(v)) == "null" {
			delete(obj, k)
			dropped = true
			continue
		}
		if w, ok := dropNulls(v, levels-1); ok {
			obj[k], dropped = w, true
		}
	}
	if !dropped {
		return raw, false
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return raw, false
	}
	return out, true
}

// notHandled starts the SDK's plain-text 400 for a method it does not know.
var notHandled = []byte("JSON RPC not handled")

// methodNotFound answers a call of a method the server does not know with
// the JSON-RPC error -32601 and the call's id, as JSON-RPC 2.0 §5.1 asks:
// the SDK does so only from protocol 2026-07-28 on, and before it answers
// HTTP 400 in plain text, which clients report as a broken server. The SDK
// still decides what it knows; this only reshapes its refusal.
func methodNotFound(next http.Handler, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err != nil {
			http.Error(w, "could not read the request body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var call struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(body, &call) != nil || len(call.ID) == 0 {
			next.ServeHTTP(w, r) // a batch, a notification or not JSON: the SDK's answer stands
			return
		}
		rw := &rpcErrorWriter{ResponseWriter: w, id: call.ID, method: call.Method}
		next.ServeHTTP(rw, r)
		rw.finish()
	})
}

// rpcErrorWriter holds back a 400 until its body shows whether it is the
// SDK's "not handled" refusal.
type rpcErrorWriter struct {
	http.ResponseWriter
	id      json.RawMessage
	method  string
	held    bool // a 400 not yet written
	written bool
}

func (w *rpcErrorWriter) WriteHeader(code int) {
	if code == http.StatusBadRequest && !w.written {
		w.held = true
		return
	}
	w.written = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *rpcErrorWriter) Write(b []byte) (int, error) {
	if w.held {
		w.held, w.written = false, true
		if bytes.HasPrefix(b, notHandled) {
			msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": w.id,
				"error": map[string]any{"code": -32601, "message": "Method not found: " + w.method}})
			w.Header().Set("Content-Type", "application/json")
			w.Header().Del("X-Content-Type-Options")
			w.ResponseWriter.WriteHeader(http.StatusOK)
			w.ResponseWriter.Write(msg)
			return len(b), nil
		}
		w.ResponseWriter.WriteHeader(http.StatusBadRequest)
	}
	w.written = true
	return w.ResponseWriter.Write(b)
}

// finish writes a held 400 that no body followed.
func (w *rpcErrorWriter) finish() {
	if w.held {
		w.ResponseWriter.WriteHeader(http.StatusBadRequest)
	}
}

// Flush lets a streamed answer through.
func (w *rpcErrorWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

const userKey = "user"

// userOf is the user of a tool call (set by Handler's verifier).
func userOf(req *mcp.CallToolRequest) (*accounts.User, error) {
	if req.Extra != nil && req.Extra.TokenInfo != nil {
		if u, ok := req.Extra.TokenInfo.Extra[userKey].(*accounts.User); ok {
			return u, nil
		}
	}
	return nil, apperr.E(apperr.Unauthorized, "no user")
}

// toolError is the text of a failed call: the API's status and problem,
// with the fields at fault, so the assistant can correct its call.
func toolError(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return errors.New("internal error")
	}
	return errors.New(ae.Public())
}

// handler makes a tool's handler: the call's user, the idempotency key
// if it gives one (the first answer to the same key and arguments is
// given again; other arguments are a conflict), errors as tool errors.
func handler[In any](d *tools, name string, keyOf func(In) string, run func(context.Context, *accounts.User, In) (any, error)) mcp.ToolHandlerFor[In, any] {
	return func(ctx context.Context, req *mcp.CallToolRequest, in In) (*mcp.CallToolResult, any, error) {
		u, err := userOf(req)
		if err != nil {
			return nil, nil, toolError(err)
		}
		key := ""
		if keyOf != nil {
			key = keyOf(in)
		}
		if key == "" || d.Idempotency == nil {
			out, err := run(ctx, u, in)
			if err != nil {
				d.logFailure(name, err)
				return nil, nil, toolError(err)
			}
			return nil, out, nil
		}
		if len(key) > 255 {
			return nil, nil, toolError(apperr.InvalidField("idempotency_key", "must be at most 255 characters"))
		}
		args, _ := json.Marshal(in)
		key = "mcp:" + name + ":" + key
		rec, err := d.Idempotency.Begin(ctx, u.ID, key, idempotency.Fingerprint([]byte(name), args))
		if apperr.Is(err, apperr.Invalid) {
			err = apperr.InvalidField("idempotency_key", "was already used for a call with other arguments")
		}
		if err != nil {
			return nil, nil, toolError(err)
		}
		if rec != nil {
			if rec.Status >= 400 {
				return nil, nil, errors.New(string(rec.Body))
			}
			return nil, json.RawMessage(rec.Body), nil
		}
		out, err := run(ctx, u, in)
		status, ct, body := 200, "application/json", []byte(nil)
		if err != nil {
			d.logFailure(name, err)
			if k := apperr.KindOf(err); k == apperr.Internal || k == apperr.Unavailable {
				status = 500 // not kept: the retry runs again
			} else {
				status = 422
			}
			err = toolError(err)
			ct, body = "text/plain", []byte(err.Error())
		} else {
			body, _ = json.Marshal(out)
		}
		if eerr := d.Idempotency.End(ctx, u.ID, key, status, ct, body); eerr != nil {
			d.Logger.Warn("idempotency record not saved", "tool", name, "err", eerr)
		}
		if err != nil {
			return nil, nil, err
		}
		return nil, out, nil
	}
}

func (d *tools) logFailure(tool string, err error) {
	if k := apperr.KindOf(err); (k == apperr.Internal || k == apperr.Unavailable) && d.Logger != nil {
		d.Logger.Error("mcp tool failed", "tool", tool, "err", err)
	}
}

// describe is a tool's description with its arguments' rules.
func describe(lines ...string) string { return strings.Join(lines, " ") }
