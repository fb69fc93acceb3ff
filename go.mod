module github.com/nxpop3/nxpop3

go 1.26

require github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
