// Command complaint-escalation is ComplaintEscalationFunction: the hourly
// reminders and escalations of complaint deadlines.
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
	lambda.Start(platform.Must(d.Escalator()).Handle)
}
