package api_test

import (
	"fmt"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// BenchmarkMCP measures tool calls through /mcp with the SDK's client
// (one POST each: the server is stateless), against the same work through
// the API in BenchmarkLogEncounter.
func BenchmarkMCP(b *testing.B) {
	s := MustServe(b)
	_, tok := s.MustSignup(b, "ada@example.com")
	ev := s.MustCreateEvent(b, tok, nil)
	cs := mustMCPSession(b, s, tok)
	b.Run("log_encounter", func(b *testing.B) {
		runConcurrent(b, 1, func(i int) error {
			n := benchSeq.Add(1)
			res, err := cs.CallTool(b.Context(), &mcp.CallToolParams{Name: "log_encounter", Arguments: map[string]any{"event_id": ev, "moment": "after_talk",
				"contact": map[string]any{"name": fmt.Sprint("Person ", n), "emails": []string{fmt.Sprintf("mcp%d@example.com", n)}},
				"notes":   "talked about observability", "topics": []string{"otel", "go"}}})
			if err == nil && res.IsError {
				err = fmt.Errorf("tool error: %v", res.Content)
			}
			return err
		})
	})
	b.Run("search", func(b *testing.B) {
		runConcurrent(b, 1, func(i int) error {
			res, err := cs.CallTool(b.Context(), &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"q": "observ otel"}})
			if err == nil && res.IsError {
				err = fmt.Errorf("tool error: %v", res.Content)
			}
			return err
		})
	})
}
