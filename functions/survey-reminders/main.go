// Command survey-reminders is SurveyRemindersFunction: the daily run that sends the one
// reminder of unanswered surveys.
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
	lambda.Start(d.Surveys().Reminders)
}
