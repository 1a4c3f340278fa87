// Command public-complaints is PublicComplaintsFunction: the public web
// form, submissions and tracking (no login).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.HTTP(d.PublicComplaintsAPI().Handler()))
}
