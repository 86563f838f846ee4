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
