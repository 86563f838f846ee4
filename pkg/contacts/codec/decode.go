package codec

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Decoded returns r as UTF-8 according to a Content-Type's charset and any
// byte-order mark: UTF-8 (default), UTF-16 (with BOM), ISO-8859-1 and
// Windows-1252. Another charset is Unsupported.
func Decoded(r io.Reader, contentType string) (io.Reader, error) {
	_, params, _ := mime.ParseMediaType(contentType)
	br := bufio.NewReaderSize(r, 64<<10)
	bom, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
		return br, nil
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}), bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		return transform.NewReader(br, unicode.BOMOverride(unicode.UTF8.NewDecoder())), nil
	}
	switch cs := strings.ToLower(params["charset"]); cs {
	case "", "utf-8", "utf8", "us-ascii":
		return br, nil
	case "iso-8859-1", "latin1", "latin-1":
		return transform.NewReader(br, charmap.ISO8859_1.NewDecoder()), nil
	case "windows-1252", "cp1252":
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), nil
	case "utf-16", "utf-16le":
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), nil
	case "utf-16be":
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()), nil
	default:
		return nil, apperr.E(apperr.Unsupported, "charset %q is not supported; send UTF-8, UTF-16, ISO-8859-1 or Windows-1252", cs)
	}
}
