package routetest

import (
	"sort"
	"strings"
)

// Path is one route, named as Key names it, and a path that reaches it.
type Path struct {
	Route, Method, Path string
}

// Paths are the routes (Key's names) under prefix that keep takes, in
// order, each with its parameters filled from ids: ":id" by the path
// before it ("/v1/contacts/"), any other by its name (":aid"). The routes
// whose parameters ids cannot fill come back apart, for a test that sends
// every route to say which kind of record it lacks.
func Paths(routes map[string]bool, prefix string, keep func(route string) bool, ids map[string]string) (paths []Path, unfilled []string) {
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
