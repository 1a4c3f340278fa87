package platform

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"keycare/shared/api"
	"keycare/shared/httpx"
	"keycare/shared/mail"
	"keycare/shared/public"
)

// Function is what a Lambda's main.go hands to lambda.Start: an HTTP API
// handler with the routes it serves, an SQS batch handler, or a scheduled
// run.
type Function struct {
	HTTP     http.Handler
	Routes   []string // "METHOD /path" as in template.yaml's HttpApi events
	SQS      func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)
	Schedule ScheduledHandler
}

// ScheduledHandler is a scheduled function's handler: event is what the
// scheduler delivered (the runs take their time from the clock).
type ScheduledHandler = func(ctx context.Context, event json.RawMessage) error

// Factory builds a function from its dependencies.
type Factory func(d Deps) (Function, error)

// Registry maps each function's logical id in template.yaml to its
// factory: functions/*/main.go, the local runner and the bench build
// handlers through it, and a test checks that it lists the same functions,
// triggers and routes as template.yaml.
var Registry = map[string]Factory{
	"CustomersFunction": httpFn(func(a *App) *httpx.Router { return (&api.Customers{Service: a.Customers, Gate: a.Staff}).Router() }),
	"ComplaintsFunction": httpFn(func(a *App) *httpx.Router {
		return (&api.Complaints{Service: a.Complaints, Gate: a.Staff, Now: a.Deps.Now, BaseURL: a.Deps.Config.PublicBaseURL}).Router()
	}),
	"SurveysFunction": httpFn(func(a *App) *httpx.Router {
		return (&api.Surveys{Service: a.Surveys, Gate: a.Staff, BaseURL: a.Deps.Config.PublicBaseURL}).Router()
	}),
	"AdminFunction": httpFn(func(a *App) *httpx.Router {
		return (&api.Admin{Settings: a.Settings, Staff: a.Staff, Audit: a.Audit, AuditLog: a.Store.Audit(), Gate: a.Staff}).Router()
	}),
	"VisitsFunction": httpFn(func(a *App) *httpx.Router {
		return (&api.Visits{Service: a.Visits, Gate: a.Staff, BaseURL: a.Deps.Config.PublicBaseURL}).Router()
	}),
	"PublicComplaintsFunction": httpFn(func(a *App) *httpx.Router {
		return (&public.Complaints{Service: a.Complaints, Keys: a.Store.Keys(), Settings: a.Settings, Now: a.Deps.Now, BaseURL: a.Deps.Config.PublicBaseURL}).Router()
	}),
	"PublicSurveysFunction": httpFn(func(a *App) *httpx.Router {
		return (&public.Surveys{Store: a.Store.Surveys(), Queue: a.SurveyQueue(), Keep: a.Store.Surveys(), Now: a.Deps.Now}).Router()
	}),
	"ReportsFunction": httpFn(func(a *App) *httpx.Router {
		return (&api.Reports{Service: a.Reports, Gate: a.Staff, Names: a.Staff}).Router()
	}),
	"ConsoleFunction": httpFn(func(a *App) *httpx.Router { return a.Console().Router() }),
	"MailerFunction": func(d Deps) (Function, error) {
		a, err := Wire(d)
		if err != nil {
			return Function{}, err
		}
		m, err := a.Mailer()
		if err != nil {
			return Function{}, err
		}
		return Function{SQS: m.Handle}, nil
	},
	"SurveyProcessorFunction":     sqsFn(func(a *App) SQSHandler { return a.Surveys.Handle }),
	"ComplaintEscalationFunction": scheduleFn(func(a *App) func(context.Context) error { return a.Escalator().Handle }),
	"SurveyInvitationsFunction":   scheduleFn(func(a *App) func(context.Context) error { return a.Surveys.Periodic }),
	"SurveyRemindersFunction":     scheduleFn(func(a *App) func(context.Context) error { return a.Surveys.Reminders }),
	"VisitRemindersFunction":      scheduleFn(func(a *App) func(context.Context) error { return a.Visits.Reminders }),
	"MonthlyReportFunction":       scheduleFn(func(a *App) func(context.Context) error { return a.Reports.Handle }),
}

// SQSHandler is an SQS-triggered function's handler.
type SQSHandler = func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

func httpFn(build func(a *App) *httpx.Router) Factory {
	return func(d Deps) (Function, error) {
		a, err := Wire(d)
		if err != nil {
			return Function{}, err
		}
		rt := build(a)
		return Function{HTTP: learnBase(rt.Handler(), a), Routes: rt.Patterns()}, nil
	}
}

// learnBase records, when PublicBaseUrl is empty, the domain API Gateway
// says a request came in on (https://<domainName>), once per cold start,
// so that the scheduled functions — which get no request, and whose
// environment cannot name the HTTP API of the same template without a
// circular dependency — can make links (survey.Service.Bases).
func learnBase(h http.Handler, a *App) http.Handler {
	if a.Deps.Config.PublicBaseURL != "" {
		return h
	}
	var learned atomic.Value
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gw, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && gw.DomainName != "" && !strings.ContainsAny(gw.DomainName, "/ ") {
			if u := "https://" + gw.DomainName; learned.Load() != u {
				if err := a.Store.Config().SetPublicBase(r.Context(), u); err != nil {
					slog.WarnContext(r.Context(), "the public base URL was not recorded", "code", mail.ErrorCode(err))
				} else {
					learned.Store(u)
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

func sqsFn(build func(a *App) SQSHandler) Factory {
	return func(d Deps) (Function, error) {
		a, err := Wire(d)
		if err != nil {
			return Function{}, err
		}
		return Function{SQS: build(a)}, nil
	}
}

func scheduleFn(build func(a *App) func(context.Context) error) Factory {
	return func(d Deps) (Function, error) {
		a, err := Wire(d)
		if err != nil {
			return Function{}, err
		}
		run := build(a)
		return Function{Schedule: func(ctx context.Context, _ json.RawMessage) error { return run(ctx) }}, nil
	}
}
