// Command surveys is SurveysFunction: staff survey routes (invitations, answers,
// a customer's satisfaction).
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
	lambda.Start(httpadapter.NewV2(d.SurveysAPI().Handler()).ProxyWithContext)
}
