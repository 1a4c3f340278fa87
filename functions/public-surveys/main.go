// Command public-surveys is PublicSurveysFunction: the survey page and its submission,
// which queues the answer (no login).
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/platform"
)

func main() {
	platform.InitLogger()
	ctx := context.Background()
	cfg := platform.Must(platform.ConfigFromEnv())
	clients := platform.Must(platform.NewClients(ctx, platform.Endpoints{}))
	d := platform.Deps{Config: cfg, Clients: clients, Now: time.Now}
	lambda.Start(httpadapter.NewV2(d.PublicSurveysAPI().Handler()).ProxyWithContext)
}
