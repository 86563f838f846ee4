package sqlite

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/rapport-crm/rapport/pkg/events"
)

// TestReadJSONAsEncodingJSON: unmarshalStrings gives what json.Unmarshal
// gives (nil or empty, error or not) for the lists the store writes and for
// the texts it does not; the empty values scanEvent sets without decoding
// are what json.Unmarshal makes of what eventArgs writes.
func TestReadJSONAsEncodingJSON(t *testing.T) {
	for _, s := range readJSONCases() {
		sameAsEncodingJSON(t, s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", " ", ",", `"`, `\`, "é", "日本", "\x01", "\x7f", "<", "&", "\u2028", "]", "["}
	for range 2000 {
		list := make([]string, r.IntN(4))
		for i := range list {
			for range r.IntN(6) {
				list[i] += alphabet[r.IntN(len(alphabet))]
			}
		}
		sameAsEncodingJSON(t, jsonList(list))
	}

	// what eventArgs writes for an event with none, read back
	e := &events.Event{}
	args := eventArgs(e)
	talks, intentions, targets := args[10].(string), args[19].(string), args[20].(string)
	if talks != "[]" || intentions != noIntentions || targets != "[]" {
		t.Fatalf("eventArgs writes talks %s, intentions %s, targets %s", talks, intentions, targets)
	}
	var fast, slow events.Event
	if err := unmarshalUnless(talks, "[]", &fast.Talks, []events.Talk{}); err != nil {
		t.Fatal(err)
	}
	if err := unmarshalUnless(intentions, noIntentions, &fast.Intentions, events.Intentions{Meet: []string{}, Learn: []string{}, Give: []string{}}); err != nil {
		t.Fatal(err)
	}
	if err := unmarshalUnless(targets, "[]", &fast.Targets, events.Targets{}); err != nil {
		t.Fatal(err)
	}
	for s, dst := range map[string]any{talks: &slow.Talks, intentions: &slow.Intentions} {
		if err := json.Unmarshal([]byte(s), dst); err != nil {
			t.Fatal(err)
		}
	}
	if err := json.Unmarshal([]byte(targets), &slow.Targets); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("read without decoding: %#v\nread by encoding/json: %#v", fast, slow)
	}
}

func readJSONCases() []string {
	return []string{"[]", "null", "", `[""]`, `["",""]`, `["a"]`, `["a","b"]`, `["a,b","c"]`, `["é","日本"]`,
		`[ "a" ]`, `["a" ,"b"]`, `["a\"b"]`, `["\u00e9"]`, `["\\"]`, `["a\\"]`, `["a",]`, `["a""b"]`, `[,"a"]`, `[1]`,
		`["a"`, `"a"]`, `{"a":1}`, `["a"] `, ` ["a"]`, "[\"\xff\"]", "[\"a\x01\"]", "[\"a\x7f\"]", `[null]`, `[[]]`, `[`, `]`}
}

func sameAsEncodingJSON(t *testing.T, s string) {
	t.Helper()
	var fast, slow []string
	fastErr := unmarshalStrings(s, &fast)
	slowErr := json.Unmarshal([]byte(s), &slow)
	if (fastErr == nil) != (slowErr == nil) || !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: read as %#v (%v), encoding/json reads %#v (%v)", s, fast, fastErr, slow, slowErr)
	}
}

// FuzzUnmarshalStrings: any text, read as json.Unmarshal reads it.
func FuzzUnmarshalStrings(f *testing.F) {
	for _, s := range readJSONCases() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { sameAsEncodingJSON(t, s) })
}
