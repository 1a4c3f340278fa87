// Command survey-processor is SurveyProcessorFunction: it stores each answer from the
// survey queue exactly once, with its aggregates.
package main

import "keycare/shared/platform"

func main() { platform.Start("SurveyProcessorFunction") }
