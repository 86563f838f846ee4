package routetest

import (
	"sort"
	"strings"
	"testing"
)

// Path is one route, named as Key names it, and a path that reaches it.
type Path struct {
	Route, Method, Path string
}

// Paths are the routes (Key's names) under prefix that keep takes, in
// order, each with its parameters filled from ids (a user's records): ":id"
// by the path before it ("/v1/contacts/"), any other by its name (":aid").
// A route whose parameters ids cannot fill fails the test, which must be
// given a record of that kind, and is left out; so does a test left with
// no route to send.
func Paths(t testing.TB, routes map[string]bool, prefix string, keep func(route string) bool, ids map[string]string) []Path {
	t.Helper()
	paths, unfilled := split(routes, prefix, keep, ids)
	for _, route := range unfilled {
		t.Errorf("%s: the test has no record for its id; give it one of that kind", route)
	}
	if len(paths) == 0 {
		t.Fatal("no routes to send")
	}
	return paths
}

// split is Paths' work: the routes it fills, and those it cannot.
func split(routes map[string]bool, prefix string, keep func(route string) bool, ids map[string]string) (paths []Path, unfilled []string) {
	for route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		if !strings.HasPrefix(pattern, prefix) || !keep(route) {
			continue
		}
		if path, ok := fill(pattern, ids); ok {
			paths = append(paths, Path{route, method, path})
		} else {
			unfilled = append(unfilled, route)
		}
	}
	sort.Slice(paths, func(i, j int) bool { return paths[i].Route < paths[j].Route })
	sort.Strings(unfilled)
	return paths, unfilled
}

// fill puts ids in pattern's parameters, and says whether it filled them
// all.
func fill(pattern string, ids map[string]string) (string, bool) {
	if start := strings.Index(pattern, ":id"); start >= 0 {
		id, ok := ids[pattern[:start]]
		if !ok {
			return "", false
		}
		pattern = strings.Replace(pattern, ":id", id, 1)
	}
	parts := strings.Split(pattern, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			id, ok := ids[p]
			if !ok {
				return "", false
			}
			parts[i] = id
		}
	}
	return strings.Join(parts, "/"), true
}
