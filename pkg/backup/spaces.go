package backup

import (
	"io"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

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

// MaxValue bounds one value a restore reads: a record of a section, the
// settings, a key's value it skips. encoding/json's Decoder holds the
// whole of a value before it decodes it, so one string as long as the
// body (100 MiB) was held, and grown to, in memory. The largest a value
// of a Rapport backup can be is a contact with its card's extra, or a
// group card: 1 MiB each, at most six times that written as JSON (a
// character such as < is written \u003c).
const MaxValue = 8 << 20

// valueBound is the reader under a restore's decoder: from each start it
// gives at most MaxValue bytes, then an error naming what it was reading.
type valueBound struct {
	r    io.Reader
	left int
	what string
}

// start begins a value of what (a section's or a key's name); the decoder
// may hold up to MaxValue bytes of it more than it holds already.
func (b *valueBound) start(what string) { b.left, b.what = MaxValue, what }

func (b *valueBound) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, apperr.InvalidField(b.what, "holds a value over %d MiB: no record of a backup is that large", MaxValue>>20)
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}
