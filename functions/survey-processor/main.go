// Command survey-processor is SurveyProcessorFunction: it stores each answer from the
// survey queue exactly once, with its aggregates.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"keycare/shared/platform"
)

func main() {
	lambda.Start(platform.ColdStart().Surveys().Handle)
}
