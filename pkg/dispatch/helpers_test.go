package dispatch_test

import (
	"encoding/base64"
	"strings"
)

func decodeBase64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	return string(b), err
}
