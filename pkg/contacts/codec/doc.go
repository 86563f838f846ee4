// Package codec reads and writes contacts in the files and codes people
// exchange them in: vCards (3.0 and 4.0, on the patched go-vcard, with
// the address book's own card and its "How we met" section), CSV exports
// (LinkedIn's, Google's, our own; any of three delimiters, broken rows
// reported by line and read past), the charsets they come in, and what a
// scanned code holds (a vCard, a MECARD, a Rapport card's URL). The rules
// of a contact stay in pkg/contacts; this package only translates.
package codec
