// Command complaints is ComplaintsFunction: staff entry, lists, the record
// card and one route per workflow step.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.HTTP(d.ComplaintsAPI().Handler()))
}
