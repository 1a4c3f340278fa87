// Package api is keycare's staff JSON API, transport only: each handler
// decodes the request, calls a service (customer, complaint, survey,
// settings, staff) and encodes the answer; authorisation decisions come
// from the services and their domain predicates. Handlers are plain
// net/http (Go 1.22 ServeMux patterns); in Lambda they run behind API
// Gateway through aws-lambda-go-api-proxy's httpadapter, locally the runner
// feeds them the same events. The public site (form, tracking and survey
// pages) is package public.
//
// Every error answers JSON {"error":{"code","message","fields"}} with a 4xx
// status for bad input; a 500 means a fault of ours and is logged.
package api
