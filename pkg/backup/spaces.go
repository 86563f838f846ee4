package backup

import "io"

// oneSpace reads a JSON document with each run of whitespace between its
// tokens cut to one space; strings pass untouched, and the document means
// what it meant. encoding/json's Decoder keeps the whitespace after a
// token until the next one begins and scans all of it again after every
// read, so a backup padded with a long run of it (100 MiB, within the
// size limit) kept a core busy until the request's read deadline, holding
// the padding in memory; one space is scanned once.
type oneSpace struct {
	r                         io.Reader
	inString, escaped, spaced bool
}

func (o *oneSpace) Read(p []byte) (int, error) {
	for {
		n, err := o.r.Read(p)
		w := 0
		for _, c := range p[:n] {
			switch {
			case o.inString:
				switch {
				case o.escaped:
					o.escaped = false
				case c == '\\':
					o.escaped = true
				case c == '"':
					o.inString = false
				}
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				if o.spaced {
					continue
				}
				o.spaced = true
				c = ' '
			default:
				o.spaced = false
				o.inString = c == '"'
			}
			p[w] = c
			w++
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}
