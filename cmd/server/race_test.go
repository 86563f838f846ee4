//go:build race

package main

// raceBuild: the tests are built with the race detector.
const raceBuild = true
