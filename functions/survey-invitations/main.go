// Command survey-invitations is SurveyInvitationsFunction: the monthly run of the
// periodic survey programme.
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
	lambda.Start(d.Surveys().Periodic)
}
