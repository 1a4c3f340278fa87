package platform

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// Start runs the function with logical id id in Lambda: it builds it once
// per cold start (JSON logs, configuration, AWS clients, the real clock)
// and hands lambda.Start its handler: an API function behind httpadapter
// with base path and stage stripped (Deps.HTTP), a scheduled one under its
// lease (Deps.Scheduled). A function that cannot be built stops with a log
// line saying why.
func Start(id string, opts ...Option) {
	InitLogger()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	d, fn, err := build(id, o)
	if err != nil {
		slog.Error("cold start failed", "function", id, "err", err.Error())
		os.Exit(1)
	}
	switch {
	case fn.HTTP != nil:
		lambda.Start(d.HTTP(fn.HTTP))
	case fn.SQS != nil:
		lambda.Start(fn.SQS)
	default:
		lambda.Start(d.Scheduled(id, fn.Schedule))
	}
}

// Option adds to what Start builds.
type Option func(*options)

type options struct{ ses SESClient }

// WithSES gives the function an SES sender (MailerFunction's main passes
// ses.Client); the other functions do not link the SES SDK.
func WithSES(c SESClient) Option { return func(o *options) { o.ses = c } }

func build(id string, o options) (Deps, Function, error) {
	factory, ok := Registry[id]
	if !ok {
		return Deps{}, Function{}, fmt.Errorf("no function %s in the registry", id)
	}
	cfg, err := ConfigFromEnv()
	if err != nil {
		return Deps{}, Function{}, err
	}
	aws, err := NewAWS(context.Background(), Endpoints{SESRegion: cfg.SESRegion}, o.ses)
	if err != nil {
		return Deps{}, Function{}, err
	}
	d := Deps{Config: cfg, Clients: aws.Clients(), Now: time.Now}
	fn, err := factory(d)
	return d, fn, err
}
