package input

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Sørensen":             "sorensen",
		"SØRENSEN":             "sorensen",
		"Straße":               "strasse",
		"STRASSE":              "strasse",
		"Łódź":                 "lodz",
		"Đorđević":             "dordevic",
		"Æsir Cœur":            "aesir coeur",
		"José Núñez":           "jose nunez",
		"Þórður":               "thordur",
		"Kubernetes-talk, 2x!": "kubernetes-talk, 2x!",
		"İstanbul":             "istanbul",
		"":                     "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"Jane Doe", 80, "Jane Doe"},
		{"  Jane\r\n\tDoe \x00 ", 80, "Jane Doe"},
		{"Zoë Quinn-Núñez", 10, "Zoë Quinn…"},
		{"Zoë", 3, "Zoë"},
		{"", 5, ""},
	} {
		if got := OneLine(c.in, c.n); got != c.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestCut: cut by characters, not bytes, the last one "…"; spaces kept.
func TestCut(t *testing.T) {
	for in, want := range map[string]string{"Zoë  Quinn-Núñez": "Zoë  Quin…", "Zoë": "Zoë", "": ""} {
		if got := Cut(in, 10); got != want {
			t.Errorf("Cut(%q, 10) = %q, want %q", in, got, want)
		}
	}
}
