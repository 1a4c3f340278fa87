// Command public-complaints is PublicComplaintsFunction: the public web
// form, submissions and tracking (no login).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(httpadapter.NewV2(platform.ColdStart().PublicComplaintsAPI().Handler()).ProxyWithContext)
}
