// Command public-surveys is PublicSurveysFunction: the survey page and its submission,
// which queues the answer (no login).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(httpadapter.NewV2(platform.ColdStart().PublicSurveysAPI().Handler()).ProxyWithContext)
}
