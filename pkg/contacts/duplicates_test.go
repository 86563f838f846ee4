package contacts

import "testing"

func TestFoldName(t *testing.T) {
	for in, want := range map[string]string{"José  Núñez": "jose nunez", " ÅSA\tLindström ": "asa lindstrom", "Zoë": "zoe", "": ""} {
		if got := FoldName(in); got != want {
			t.Errorf("FoldName(%q) = %q; want %q", in, got, want)
		}
	}
	if phoneDigits("+1 (555) 010-0000") != "15550100000" || phoneDigits("112") != "" {
		t.Error("phoneDigits")
	}
}
