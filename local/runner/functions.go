package runner

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"keycare/shared/platform"
)

// Function is what a Lambda's main.go hands to lambda.Start, built from the
// same Deps: an HTTP API handler, an SQS batch handler or a scheduled handler.
type Function struct {
	HTTP     http.Handler
	SQS      func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)
	Schedule func(ctx context.Context, ev events.CloudWatchEvent) error
}

// Factory builds a function from its dependencies, as its main.go does.
type Factory func(d platform.Deps) Function

// Registry maps each function's logical id in template.yaml to its factory.
// A test checks that it covers template.yaml exactly.
var Registry = map[string]Factory{
	"CustomersFunction":         func(d platform.Deps) Function { return Function{HTTP: d.CustomersAPI().Handler()} },
	"PublicComplaintsFunction":  func(d platform.Deps) Function { return Function{HTTP: d.PublicComplaintsAPI().Handler()} },
	"ComplaintsFunction":        func(d platform.Deps) Function { return Function{HTTP: d.ComplaintsAPI().Handler()} },
	"MailerFunction":            func(d platform.Deps) Function { return Function{SQS: d.Mailer().Handle} },
	"PublicSurveysFunction":     func(d platform.Deps) Function { return Function{HTTP: d.PublicSurveysAPI().Handler()} },
	"SurveysFunction":           func(d platform.Deps) Function { return Function{HTTP: d.SurveysAPI().Handler()} },
	"SurveyProcessorFunction":   func(d platform.Deps) Function { return Function{SQS: d.Surveys().Handle} },
	"SurveyInvitationsFunction": func(d platform.Deps) Function { return Function{Schedule: d.Surveys().Periodic} },
	"SurveyRemindersFunction":   func(d platform.Deps) Function { return Function{Schedule: d.Surveys().Reminders} },
	"ComplaintEscalationFunction": func(d platform.Deps) Function {
		e, err := d.Escalator()
		if err != nil {
			return Function{Schedule: func(context.Context, events.CloudWatchEvent) error { return err }}
		}
		return Function{Schedule: e.Handle}
	},
}
