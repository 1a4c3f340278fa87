// Command public-surveys is PublicSurveysFunction: the survey page and its submission,
// which queues the answer (no login).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	d := platform.ColdStart()
	lambda.Start(d.HTTP(d.PublicSurveysAPI().Handler()))
}
