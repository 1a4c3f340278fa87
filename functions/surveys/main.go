// Command surveys is SurveysFunction: staff survey routes (invitations, answers,
// a customer's satisfaction).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.HTTP(d.SurveysAPI().Handler()))
}
