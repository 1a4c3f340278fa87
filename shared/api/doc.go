// Package api holds keycare's HTTP handlers as plain net/http handlers (Go
// 1.22 ServeMux patterns). In Lambda they run behind API Gateway through
// aws-lambda-go-api-proxy's httpadapter (HTTP API payload v2); locally the
// runner feeds them the same events, so one code path is tested everywhere.
//
// Every error answers JSON {"error":{"code","message","fields"}} with a 4xx
// status for bad input; a 500 means a fault of ours and is logged.
package api
