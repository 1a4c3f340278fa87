// Command surveys is SurveysFunction: staff survey routes (invitations, answers,
// a customer's satisfaction).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(httpadapter.NewV2(platform.ColdStart().SurveysAPI().Handler()).ProxyWithContext)
}
