package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkMCP measures tool calls through /mcp, against the same work
// through the API in BenchmarkLogEncounter (the same contact, company,
// notes and topics): with the SDK's client (one POST
// each: the server is stateless), and as a plain HTTP client sends the
// same JSON-RPC request ("/http"), the way BenchmarkLogEncounter's client
// sends its JSON. The SDK client's own JSON work runs on the same cores as
// the server; the plain client's is a marshal and an unmarshal, as the
// API benchmark's is. "paired" alternates the API's POST, the plain MCP
// call and the SDK client's on one server, so that the machine's drift
// during a run (±20 % within minutes here) falls on all alike, and reports
// the API's and the plain call's p50, and each MCP call's over the API's.
// Run: go test ./pkg/api -run '^$' -bench 'MCP/log_encounter|LogEncounter/API/clients=1$' -benchtime 1000x -count 3
// or:  go test ./pkg/api -run '^$' -bench 'MCP/paired' -benchtime 2000x -count 3
func BenchmarkMCP(b *testing.B) {
	s := MustServe(b)
	_, tok := s.MustSignup(b, "ada@example.com")
	ev := s.MustCreateEvent(b, tok, nil)
	cs := mustMCPSession(b, s, tok)
	logArgs := func(n int64) map[string]any {
		return map[string]any{"event_id": ev, "moment": "after_talk",
			"contact": map[string]any{"name": fmt.Sprint("Person ", n), "emails": []string{fmt.Sprintf("mcp%d@example.com", n)}, "company": "Acme"},
			"notes":   "talked about observability", "topics": []string{"otel", "go"}}
	}
	b.Run("log_encounter", func(b *testing.B) {
		runConcurrent(b, 1, func(i int) error { return callToolSDK(b.Context(), cs, "log_encounter", logArgs(benchSeq.Add(1))) })
	})
	b.Run("log_encounter/http", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		runConcurrent(b, 1, func(i int) error {
			return callToolHTTP(client, s.URL+"/mcp", tok, int64(i+1), "log_encounter", logArgs(benchSeq.Add(1)))
		})
	})
	b.Run("paired", func(b *testing.B) {
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var viaAPI, viaMCP, viaSDK []time.Duration
		timed := func(into *[]time.Duration, call func() error) func() {
			return func() {
				t0 := time.Now()
				if err := call(); err != nil {
					b.Fatal(err)
				}
				*into = append(*into, time.Since(t0))
			}
		}
		i := int64(0)
		for b.Loop() {
			i++
			calls := []func(){
				timed(&viaAPI, func() error { return postEncounter(client, s.URL+"/v1/events/"+ev+"/encounters", tok, benchSeq.Add(1)) }),
				timed(&viaMCP, func() error {
					return callToolHTTP(client, s.URL+"/mcp", tok, i, "log_encounter", logArgs(benchSeq.Add(1)))
				}),
				timed(&viaSDK, func() error { return callToolSDK(b.Context(), cs, "log_encounter", logArgs(benchSeq.Add(1))) }),
			}
			// Each goes first, second and third a third of the time.
			for k := range calls {
				calls[(k+int(i))%len(calls)]()
			}
		}
		p50 := func(d []time.Duration) float64 {
			slices.Sort(d)
			return float64(d[len(d)/2].Microseconds()) / 1000
		}
		a, m, k := p50(viaAPI), p50(viaMCP), p50(viaSDK)
		b.ReportMetric(a, "api-p50-ms")
		b.ReportMetric(m, "mcp-p50-ms")
		b.ReportMetric(m/a, "mcp/api")
		b.ReportMetric(k/a, "sdk/api")
	})
	b.Run("search", func(b *testing.B) {
		runConcurrent(b, 1, func(i int) error {
			return callToolSDK(b.Context(), cs, "search", map[string]any{"q": "observ otel"})
		})
	})
}

// callToolSDK calls a tool with the SDK's client and fails unless the
// tool answered without error.
func callToolSDK(ctx context.Context, cs *mcp.ClientSession, tool string, args map[string]any) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err == nil && res.IsError {
		err = fmt.Errorf("%s: tool error: %v", tool, res.Content)
	}
	return err
}

// callToolHTTP posts one JSON-RPC tools/call to the stateless MCP
// endpoint and fails unless the tool answered without error.
func callToolHTTP(client *http.Client, url, token string, id int64, tool string, args map[string]any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args}})
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	out, err := fetch(client, req, 200)
	if err != nil {
		return err
	}
	var res struct {
		Error  *struct{ Message string } `json:"error"`
		Result *struct {
			IsError bool `json:"isError"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("%s: %w: %.300s", tool, err, out)
	}
	if res.Error != nil || res.Result == nil || res.Result.IsError {
		return fmt.Errorf("%s: %.300s", tool, out)
	}
	return nil
}
