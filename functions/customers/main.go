// Command customers is CustomersFunction: the key-account file routes.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.HTTP(d.CustomersAPI().Handler()))
}
