module github.com/emersion/go-webdav

go 1.13

require (
	github.com/emersion/go-ical v0.0.0-20250329121855-f41e73efc392
	github.com/emersion/go-vcard v0.0.0-20230815062825-8fda7d206ec9
)

replace github.com/emersion/go-vcard => ../go-vcard
