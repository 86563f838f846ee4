package words

import "testing"

func TestCountsAndLists(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Counted(0, "new event"), "0 new events"},
		{Counted(1, "new event"), "1 new event"},
		{Counted(2, "thank-you"), "2 thank-yous"},
		{Plural(1, "person", "people"), "person"},
		{Plural(3, "person", "people"), "people"},
		{AndList(nil), ""},
		{AndList([]string{"go"}), "go"},
		{AndList([]string{"go", "rust"}), "go and rust"},
		{AndList([]string{"go", "rust", "wasm"}), "go, rust and wasm"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}
