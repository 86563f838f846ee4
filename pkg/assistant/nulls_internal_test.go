package assistant

import (
	"encoding/json"
	"testing"
)

// TestWithoutNulls: null members go, at the top and one object down, and
// no deeper; arguments with no null member, or where a "null" is only
// text, come back as sent, their order and spacing kept; what is not an
// object is left for the SDK to refuse.
func TestWithoutNulls(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"q": "go", "limit": null}`, `{"q":"go"}`},
		{`{"contact": {"name": "Jane", "emails": null}, "topics": null}`, `{"contact":{"name":"Jane"}}`},
		{`{"contact": {"extra": {"deep": null}}}`, `{"contact": {"extra": {"deep": null}}}`},
		{`{"z": 1, "a": "x"}`, `{"z": 1, "a": "x"}`},
		{`{"z": 1,  "notes": "null and void"}`, `{"z": 1,  "notes": "null and void"}`},
		{`{"contact": {"notes": "null"}, "b": 2}`, `{"contact": {"notes": "null"}, "b": 2}`},
		{`[null]`, `[null]`},
		{`null`, `null`},
		{`{not json null`, `{not json null`},
	} {
		if got := string(withoutNulls(json.RawMessage(c.in), 2)); got != c.want {
			t.Errorf("withoutNulls(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
