module github.com/emersion/go-vcard

go 1.13
