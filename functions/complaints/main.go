// Command complaints is ComplaintsFunction: staff entry, lists, the record
// card and one route per workflow step.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(httpadapter.NewV2(platform.ColdStart().ComplaintsAPI().Handler()).ProxyWithContext)
}
