package json

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// A Decoder over a reader that tells its length allocates about the
// message's size for its buffer, not minBufferSize (32 KiB): the MCP SDK
// decodes every message, and parts of it, through NewDecoder(bytes.NewReader).
func TestDecoderSizesFirstBufferToReader(t *testing.T) {
	msg := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"log_encounter","arguments":{"event_id":"e1","notes":"talked about observability","topics":["otel","go"]}}}`)
	var v struct {
		ID     int    `json:"id"`
		Method string `json:"method"`
		Params struct {
			Name      string     `json:"name"`
			Arguments RawMessage `json:"arguments"`
		} `json:"params"`
	}
	const runs = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		if err := NewDecoder(bytes.NewReader(msg)).Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perDecode := (after.TotalAlloc - before.TotalAlloc) / runs
	if perDecode > 4*uint64(len(msg)) {
		t.Errorf("%d bytes allocated a decode of a %d-byte message, want at most %d", perDecode, len(msg), 4*len(msg))
	}
	if v.ID != 7 || v.Method != "tools/call" || v.Params.Name != "log_encounter" || !bytes.Contains(v.Params.Arguments, []byte(`"otel"`)) {
		t.Errorf("decoded %+v", v)
	}
}

// With the buffer sized to the reader, everything else reads as before:
// several values in one reader, a value larger than minBufferSize, an
// empty reader, a value cut short, and trailing garbage.
func TestDecoderSizedBufferReadsAsBefore(t *testing.T) {
	big := `{"s":"` + strings.Repeat("x", 3*minBufferSize) + `"}`
	for _, in := range []string{`1 {"a":2}  [3] "four"`, big, big + " " + big} {
		want := NewDecoder(io.MultiReader(strings.NewReader(in))) // no Len: minBufferSize, as upstream
		got := NewDecoder(strings.NewReader(in))
		for {
			var w, g any
			werr, gerr := want.Decode(&w), got.Decode(&g)
			if (werr == nil) != (gerr == nil) || (werr != nil && werr.Error() != gerr.Error()) {
				t.Fatalf("%.40q: error %v, want %v", in, gerr, werr)
			}
			if werr != nil {
				break
			}
			wb, _ := Marshal(w)
			gb, _ := Marshal(g)
			if !bytes.Equal(wb, gb) {
				t.Fatalf("%.40q: decoded %.40s, want %.40s", in, gb, wb)
			}
		}
	}
	var v any
	if err := NewDecoder(bytes.NewReader(nil)).Decode(&v); !errors.Is(err, io.EOF) {
		t.Errorf("empty reader: %v, want io.EOF", err)
	}
	if err := NewDecoder(strings.NewReader(`{"a":[1,2`)).Decode(&v); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("value cut short: %v, want io.ErrUnexpectedEOF", err)
	}
	dec := NewDecoder(strings.NewReader(`{"a":1} }`))
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&v); err == nil {
		t.Error("trailing '}' decoded without an error")
	}
}
