// Command customers is CustomersFunction: the key-account file routes.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(httpadapter.NewV2(platform.ColdStart().CustomersAPI().Handler()).ProxyWithContext)
}
