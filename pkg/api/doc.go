// Package api is Rapport's HTTP JSON API on Fiber: routes per resource,
// authentication, the one table from error kinds to problem+json, request
// ids, access logs and metrics. It imports the domain packages; they never
// import it.
package api
