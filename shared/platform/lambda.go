package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/domain"
)

// Start runs the function with logical id id in Lambda: it builds it once
// per cold start (JSON logs, configuration, AWS clients, the real clock)
// and hands its handler to lambda.Start. A function that cannot be built
// stops with a log line saying why.
func Start(id string) {
	InitLogger()
	fn, err := build(id)
	if err != nil {
		slog.Error("cold start failed", "function", id, "err", err.Error())
		os.Exit(1)
	}
	switch {
	case fn.HTTP != nil:
		lambda.Start(httpadapter.NewV2(fn.HTTP).ProxyWithContext)
	case fn.SQS != nil:
		lambda.Start(fn.SQS)
	default:
		lambda.Start(func(ctx context.Context, _ json.RawMessage) error { return RunScheduled(ctx, id, fn.Schedule) })
	}
}

func build(id string) (Function, error) {
	factory, ok := Registry[id]
	if !ok {
		return Function{}, fmt.Errorf("no function %s in the registry", id)
	}
	cfg, err := ConfigFromEnv()
	if err != nil {
		return Function{}, err
	}
	aws, err := NewAWS(context.Background(), Endpoints{})
	if err != nil {
		return Function{}, err
	}
	return factory(Deps{Config: cfg, Clients: aws.Clients(), Now: time.Now})
}

// RunScheduled runs a scheduled function once, with the invocation's
// request id in the context (audit entries record it) and one log line.
func RunScheduled(ctx context.Context, id string, run func(context.Context) error) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		ctx = domain.WithRequestID(ctx, lc.AwsRequestID)
	}
	start := time.Now()
	err := run(ctx)
	if err != nil {
		slog.ErrorContext(ctx, "scheduled run failed", "function", id, "ms", time.Since(start).Milliseconds(), "err", err.Error())
	}
	return err
}
