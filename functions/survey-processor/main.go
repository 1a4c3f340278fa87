// Command survey-processor is SurveyProcessorFunction: it stores each answer from the
// survey queue exactly once, with its aggregates.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	platform.InitLogger()
	ctx := context.Background()
	cfg := platform.Must(platform.ConfigFromEnv())
	clients := platform.Must(platform.NewClients(ctx, platform.Endpoints{}))
	d := platform.Deps{Config: cfg, Clients: clients, Now: time.Now}
	lambda.Start(d.Surveys().Handle)
}
