// Command mailer is MailerFunction: it sends the mail queue's messages
// through SES v2, reporting failed messages one by one.
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
	lambda.Start(d.Mailer().Handle)
}
